using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Core.Calls;

namespace Parley.Node.Calls;

/// <summary>
/// The node's UDP socket for call media, on the same port number as its TLS listener. A datagram
/// costs one dictionary lookup by its call ID; one from an unknown call, or from an address other
/// than the peer's, is dropped and counted. A call whose peer sends more than
/// <see cref="MaxPacketsPerSecond"/> is reported as flooding (its owner ends it).
/// </summary>
public sealed class MediaSocket : IAsyncDisposable
{
    public const int MaxPacketsPerSecond = 5000;
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<uint, Route> _routes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Task _receiving;
    private long _strays;

    private sealed class Route(MediaSession session, IPEndPoint peer, Action flooding)
    {
        public MediaSession Session => session;
        public IPEndPoint Peer => peer;
        public Action Flooding => flooding;
        public long WindowStart { get; set; }
        public int InWindow { get; set; }
    }

    public MediaSocket(IPAddress bind, int port, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _time = time;
        _logger = loggerFactory.CreateLogger("Parley.Calls");
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(bind, port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Another program holds that UDP port: any port will do, since calls name theirs in the invite.
            _socket.Bind(new IPEndPoint(bind, 0));
        }
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Datagrams dropped because no call or no peer address matched.</summary>
    public long Strays => Interlocked.Read(ref _strays);

    public void Register(uint callId, MediaSession session, IPEndPoint peer, Action flooding) => _routes[callId] = new Route(session, peer, flooding);

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

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
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
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP error for an earlier send, or an oversized datagram
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            var packet = buffer.AsSpan(0, received.ReceivedBytes);
            if (!MediaHeader.TryReadCallId(packet, out var callId) || !_routes.TryGetValue(callId, out var route)
                || !route.Peer.Equals(received.RemoteEndPoint))
            {
                Interlocked.Increment(ref _strays);
                continue;
            }
            if (Flooding(route))
            {
                continue;
            }
            try
            {
                route.Session.OnPacket(packet);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                CallLog.PacketFailed(_logger, callId, e.Message);
            }
        }
    }

    private bool Flooding(Route route)
    {
        var second = _time.GetTimestamp() / _time.TimestampFrequency;
        if (route.WindowStart != second)
        {
            route.WindowStart = second;
            route.InWindow = 0;
        }
        if (++route.InWindow == MaxPacketsPerSecond + 1)
        {
            route.Flooding();
        }
        return route.InWindow > MaxPacketsPerSecond;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _receiving.ConfigureAwait(false);
        _stop.Dispose();
    }
}

internal static partial class CallLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "A media packet of call {CallId} failed: {Reason}")]
    public static partial void PacketFailed(ILogger logger, uint callId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} with {Peer} ended: {Reason}")]
    public static partial void Ended(ILogger logger, uint callId, string peer, string reason);
}
