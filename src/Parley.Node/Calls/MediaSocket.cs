using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Core.Calls;
using Parley.Core.Net;
using Parley.Core.Traversal;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>
/// The node's UDP socket for call media, on the same port number as its TLS listener (so it opens
/// after the links start). A datagram costs one header read and one dictionary lookup by its call
/// ID; one from an unknown call, or from an address other than the peer's, is dropped and counted.
/// A call whose peer sends more than <see cref="MaxPacketsPerSecond"/> packets that open with its
/// key is reported as flooding (its owner ends it); forged ones are dropped and counted by the call.
/// </summary>
internal sealed class MediaSocket(NodeOptions options, LinkManager links, TimeProvider time, ILoggerFactory loggerFactory) : IMediaSocket, INodeService
{
    /// <summary>Most authentic packets a peer may send a call in one second before the call is ended as a flood: 5,000 (a call at the 4 Mbit/s ceiling sends about 500).</summary>
    public const int MaxPacketsPerSecond = 5000;
    private readonly Socket _socket = new(options.PeerBindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
    private readonly ConcurrentDictionary<uint, Route> _routes = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Calls");
    private Task _receiving = Task.CompletedTask;
    private long _strays;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<IPEndPoint>> _stunAsks = new();

    private sealed class Route(MediaSession session, IPEndPoint? peer, Action flooding, Action<IPEndPoint>? heard)
    {
        public MediaSession Session => session;
        public IPEndPoint? Peer => peer;
        public Action Flooding => flooding;
        public Action<IPEndPoint>? Heard => heard;
        public long WindowStart { get; set; }
        public int InWindow { get; set; }
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Datagrams dropped because no call or no peer address matched.</summary>
    public long Strays => Interlocked.Read(ref _strays);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _socket.Bind(new IPEndPoint(options.PeerBindAddress, links.ListenPort));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Another program holds that UDP port: any port will do, since calls name theirs in the invite.
            _socket.Bind(new IPEndPoint(options.PeerBindAddress, 0));
        }
        _receiving = DatagramThread.Start(_socket, "parley-media", 2048, (datagram, from) => Deliver(datagram, from));
        return Task.CompletedTask;
    }

    public void Register(uint callId, MediaSession session, IPEndPoint? peer, Action flooding, Action<IPEndPoint>? heard = null) =>
        _routes[callId] = new Route(session, peer, flooding, heard);

    public async Task<IPEndPoint?> LearnPublicAsync(IPEndPoint server, TimeSpan timeout)
    {
        var (request, id) = StunBinding.CreateRequest();
        var key = Convert.ToHexString(id);
        var answer = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        _stunAsks[key] = answer;
        try
        {
            // Asked again every quarter of the time allowed: a lost datagram (or a slow hub) should not cost the call its direct path.
            for (var attempt = 0; attempt < 4 && !answer.Task.IsCompleted; attempt++)
            {
                Send(server, request);
                await Task.WhenAny(answer.Task, Task.Delay(timeout / 4, time)).ConfigureAwait(false);
            }
            return answer.Task.IsCompletedSuccessfully ? answer.Task.Result : null;
        }
        finally
        {
            _stunAsks.TryRemove(key, out _);
        }
    }

    public void Unregister(uint callId) => _routes.TryRemove(callId, out _);

    public bool Send(IPEndPoint to, ReadOnlyMemory<byte> packet)
    {
        try
        {
            _socket.SendTo(packet.Span, SocketFlags.None, to);
            return true;
        }
        catch (SocketException)
        {
            return false; // an unreachable peer or a full buffer: media is loss-tolerant
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private void Deliver(ReadOnlyMemory<byte> datagram, EndPoint from)
    {
        if (StunBinding.LooksLikeStun(datagram.Span))
        {
            AnswerStun(datagram.Span);
            return;
        }
        // The session keeps nothing of the packet past OnPacket (it copies what it keeps): the loop's buffer is lent, not copied.
        if (!MediaPacket.TryRead(new ReadOnlySequence<byte>(datagram), out var packet, out _) || !_routes.TryGetValue(packet.Header.CallId, out var route)
            || (route.Peer is { } peer && !peer.Equals(from)))
        {
            Interlocked.Increment(ref _strays);
            return;
        }
        bool authentic;
        try
        {
            authentic = route.Session.OnPacket(packet);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            CallLog.PacketFailed(_logger, packet.Header.CallId, e.Message);
            return;
        }
        if (authentic)
        {
            if (route.Peer is null && from is IPEndPoint heard)
            {
                // Punched: each datagram sealed with the call's key shows a path that works; the call picks the best (and notices when it goes quiet).
                route.Heard?.Invoke(heard);
            }
            CountTowardsFlood(route);
        }
    }

    private void AnswerStun(ReadOnlySpan<byte> datagram)
    {
        foreach (var (key, answer) in _stunAsks)
        {
            if (StunBinding.TryReadResponse(datagram, Convert.FromHexString(key), out var mapped))
            {
                answer.TrySetResult(mapped);
                return;
            }
        }
        Interlocked.Increment(ref _strays);
    }

    /// <summary>
    /// Charges one of the peer's own packets to its budget; the packet that goes past it reports the
    /// flood (once). Only packets that opened with the peer's key are counted: the call ID and the
    /// peer's address are no secret, so a forged datagram (dropped by the tag check, which costs less
    /// than receiving it) must not end the call.
    /// </summary>
    private void CountTowardsFlood(Route route)
    {
        var second = time.GetTimestamp() / time.TimestampFrequency;
        if (route.WindowStart != second)
        {
            route.WindowStart = second;
            route.InWindow = 0;
        }
        if (++route.InWindow == MaxPacketsPerSecond + 1)
        {
            route.Flooding();
        }
    }

    public async Task StopAsync()
    {
        _socket.Dispose();
        await _receiving.ConfigureAwait(false);
    }
}
