using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Parley.Core.Hub.UdpRelay;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// One member's UDP relay allocation: a hub port of its own (peers send unmodified media, so the port
/// is what tells allocations apart, as in TURN). A datagram that starts with the allocation's token is
/// the member's: it shows where the member is now, refreshes the allocation, and its payload goes to
/// the peer it names if the member permitted that peer's address. Any other datagram from a permitted
/// address goes to the member, tagged with its source. Everything else — a wrong token, a stranger —
/// is dropped and counted. Every relayed datagram is charged to the allocation and to the hub.
/// </summary>
internal sealed class UdpRelayAllocation : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _token;
    private readonly UdpRelay _relay;
    private readonly HashSet<IPAddress> _permitted = [];
    private readonly Lock _lock = new();
    private readonly TokenBucket _packets;
    private readonly TokenBucket _bytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private long _lastHeard;

    public UdpRelayAllocation(uint id, DeviceId owner, Socket socket, UdpRelay relay, HubOptions options)
    {
        Id = id;
        Owner = owner;
        _socket = socket;
        _relay = relay;
        _token = RandomNumberGenerator.GetBytes(UdpRelayAllocated.TokenSize);
        _packets = new TokenBucket(options.UdpRelayPacketsPerSecondPerAllocation, options.UdpRelayPacketsPerSecondPerAllocation, options.TimeProvider);
        _bytes = new TokenBucket(options.UdpRelayBytesPerSecondPerAllocation, options.UdpRelayBytesPerSecondPerAllocation, options.TimeProvider);
        _lastHeard = options.TimeProvider.GetTimestamp();
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    public uint Id { get; }

    public DeviceId Owner { get; }

    public byte[] Token => _token;

    /// <summary>The allocation's own address and port on the hub: where peers send to reach the member.</summary>
    public IPEndPoint Relayed => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Where the member's last datagram came from; nothing goes to the member before it.</summary>
    public IPEndPoint? Member { get; private set; }

    /// <summary>When the member was last heard from (a timestamp of the hub's time provider).</summary>
    public long LastHeard => Interlocked.Read(ref _lastHeard);

    /// <summary>Adds peer addresses up to <paramref name="max"/> in all; returns how many were ignored.</summary>
    public int Permit(IEnumerable<IPAddress> peers, int max)
    {
        var ignored = 0;
        lock (_lock)
        {
            foreach (var peer in peers)
            {
                if (_permitted.Count < max || _permitted.Contains(peer))
                {
                    _permitted.Add(peer);
                }
                else
                {
                    ignored++;
                }
            }
        }
        return ignored;
    }

    private bool IsPermitted(IPAddress address)
    {
        lock (_lock)
        {
            return _permitted.Contains(address);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        var output = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an ICMP error for an earlier send, or an oversized datagram
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (received.RemoteEndPoint is IPEndPoint from)
            {
                Handle(buffer.AsSpan(0, received.ReceivedBytes), Normalize(from), output);
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> datagram, IPEndPoint from, byte[] output)
    {
        if (RelayDatagram.TryReadFromMember(datagram, out var token, out var peer, out var payload) && CryptographicOperations.FixedTimeEquals(token, _token))
        {
            Member = from;
            Interlocked.Exchange(ref _lastHeard, _relay.Time.GetTimestamp());
            if (peer.Port == 0 && payload.IsEmpty)
            {
                return; // a refresh
            }
            if (!IsPermitted(peer.Address))
            {
                _relay.Count(UdpRelayDrop.NotPermitted);
                return;
            }
            Forward(payload, peer);
            return;
        }
        if (!IsPermitted(from.Address) || Member is not { } member)
        {
            _relay.Count(UdpRelayDrop.Stranger);
            return;
        }
        if (datagram.Length > RelayDatagram.MaxPayload)
        {
            _relay.Count(UdpRelayDrop.TooLarge);
            return;
        }
        Forward(output.AsSpan(0, RelayDatagram.WriteToMember(output, from, datagram)), member);
    }

    private void Forward(ReadOnlySpan<byte> datagram, IPEndPoint to)
    {
        if (!_packets.TryTake() || !_bytes.TryTake(datagram.Length))
        {
            _relay.Count(UdpRelayDrop.AllocationRate);
            return;
        }
        if (!_relay.TryCharge(datagram.Length))
        {
            _relay.Count(UdpRelayDrop.HubRate);
            return;
        }
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
            _relay.CountRelayed();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // best effort, as UDP is
        }
    }

    private static IPEndPoint Normalize(IPEndPoint from) =>
        from.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(from.Address.MapToIPv4(), from.Port) : from;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _receiving.ConfigureAwait(false);
        _stop.Dispose();
    }
}
