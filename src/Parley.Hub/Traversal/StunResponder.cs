using System.Net;
using System.Net.Sockets;
using Parley.Core.Net;
using Parley.Core.Traversal;

namespace Parley.Hub;

/// <summary>
/// The hub's UDP port: it answers STUN Binding requests (RFC 8489) with the address and port each came
/// from, so a node behind a NAT learns where its media socket is seen from the internet, to tell a peer
/// it wants a direct path to. It answers nothing else, and each source at most
/// <see cref="PerSourcePerSecond"/> times a second (<see cref="PerSecond"/> in all), so it cannot be
/// used to flood a third party: an answer is 32 bytes for a 20-byte request. Every other datagram goes to
/// the room calls' forwarding unit (<see cref="RoomCallUnit"/>), which answers only participants it authenticated.
/// </summary>
internal sealed class StunResponder : IAsyncDisposable
{
    /// <summary>Answers a second to one source address. 20.</summary>
    public const int PerSourcePerSecond = 20;

    /// <summary>Answers a second in all. 5,000.</summary>
    public const int PerSecond = 5000;

    /// <summary>
    /// The receive buffer asked for each socket: 1 MiB. One receive loop checks and forwards every room call
    /// packet, so a stall of that loop (a GC pause, a busy machine) is absorbed here: the default 208 KiB
    /// holds about 90 video packets, 70 ms at 16 participants' 1,280 packets a second; 1 MiB holds about
    /// 350 ms. Not more: a packet queued longer is too late for a call anyway. The kernel caps it at
    /// net.core.rmem_max.
    /// </summary>
    public const int ReceiveBuffer = 1 << 20;

    private readonly List<Socket> _sockets;
    private readonly List<Task> _loops;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _thisSecond = [];
    private long _second;
    private int _answeredThisSecond;
    private long _answered;

    private readonly RoomCallUnit? _roomCalls;

    private StunResponder(List<Socket> sockets, RoomCallUnit? roomCalls)
    {
        _sockets = sockets;
        _roomCalls = roomCalls;
        _loops = [.. sockets.Select(socket => DatagramThread.Start(socket, "parley-hub-udp", 2048,
            (datagram, from) => OnDatagram(socket, datagram.Span, (IPEndPoint)from)))];
    }

    /// <summary>The smallest receive buffer the kernel gave a socket of this port, in bytes as it counts them (Linux doubles the size asked for, for its bookkeeping).</summary>
    public int ReceiveBufferBytes => _sockets.Min(s => s.ReceiveBufferSize);

    /// <summary>Binding requests answered since start.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>
    /// Listens on <paramref name="address"/>:<paramref name="port"/> (the hub's TCP port number); when
    /// that is every address, one socket per address, so each answer leaves from the address its request
    /// was sent to (a NAT drops an answer from any other). Null if the UDP port is taken (the hub runs without it).
    /// </summary>
    public static StunResponder? TryStart(IPAddress address, int port, RoomCallUnit? roomCalls = null)
    {
        var addresses = address.Equals(IPAddress.Any)
            ? [.. Parley.Core.Links.LocalAddresses.IPv4(port, withLoopback: true).Select(e => e.Address).Distinct()]
            : new List<IPAddress> { address };
        var sockets = new List<Socket>();
        foreach (var local in addresses)
        {
            var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = ReceiveBuffer };
            try
            {
                socket.Bind(new IPEndPoint(local, port));
                sockets.Add(socket);
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
        }
        return sockets.Count > 0 ? new StunResponder(sockets, roomCalls) : null;
    }

    /// <summary>
    /// One datagram, on the socket's own receive thread (<see cref="DatagramThread"/>: a room call's packet is forwarded
    /// where it woke the thread, with no hand-off to the thread pool; measured in docs/benchmarks.md, hub-link).
    /// </summary>
    private void OnDatagram(Socket socket, ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        try
        {
            if (_roomCalls is not null && !StunBinding.IsRequest(datagram))
            {
                // Room call packets share the port: the forwarding unit checks and routes them here, on the receive thread.
                _roomCalls.OnDatagram(socket, datagram, from);
                return;
            }
            if (StunBinding.IsRequest(datagram) && Allow(from.Address))
            {
                socket.SendTo(StunBinding.CreateResponse(datagram, from), SocketFlags.None, from);
                Interlocked.Increment(ref _answered);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The answer is best effort, as UDP is; a key or socket disposed under one packet (a call ending) must not end the
            // loop, which ends only when our socket is disposed (its receive throws then).
        }
    }

    private bool Allow(IPAddress source)
    {
        lock (_lock)
        {
            return AllowLocked(source);
        }
    }

    private bool AllowLocked(IPAddress source)
    {
        var second = Environment.TickCount64 / 1000;
        if (second != _second)
        {
            (_second, _answeredThisSecond) = (second, 0);
            _thisSecond.Clear();
        }
        var count = _thisSecond.GetValueOrDefault(source);
        if (count >= PerSourcePerSecond || _answeredThisSecond >= PerSecond)
        {
            return false;
        }
        _thisSecond[source] = count + 1;
        _answeredThisSecond++;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose(); // ends each socket's receive thread
        }
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }
}
