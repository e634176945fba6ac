using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Traversal;

/// <summary>Peers of an allocation: permissions, channels, and sending to them (RFC 8656 §9–§12).</summary>
public sealed partial class TurnAllocation
{
    private readonly Lock _peersGate = new();
    private readonly Dictionary<IPEndPoint, Peer> _peers = [];
    private readonly Dictionary<ushort, IPEndPoint> _channels = [];
    private ushort _nextChannel = TurnMessages.FirstChannel;

    /// <summary>One permitted peer: its channel number (taken when permitted, bound a moment later) and when it is renewed next.</summary>
    private sealed class Peer(ushort channel)
    {
        public ushort Channel { get; } = channel;

        public TaskCompletionSource Permitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Bound { get; set; }

        public DateTimeOffset RenewAt { get; set; }
    }

    public Task PermitAsync(IPEndPoint peer, CancellationToken cancellationToken)
    {
        peer = StunAddress.Normalize(peer);
        Peer added;
        lock (_peersGate)
        {
            if (_peers.TryGetValue(peer, out var known))
            {
                return known.Permitted.Task;
            }
            if (_peers.Count >= _options.MaxPeers || _nextChannel > TurnMessages.LastChannel)
            {
                throw new InvalidOperationException($"this relay already lets {_peers.Count} peers through");
            }
            added = new Peer(_nextChannel++) { RenewAt = _options.TimeProvider.GetUtcNow() + _options.PermissionRefresh };
            _peers[peer] = added;
            _channels[added.Channel] = peer;
        }
        _ = PermitNewAsync(peer, added, cancellationToken);
        return added.Permitted.Task;
    }

    private async Task PermitNewAsync(IPEndPoint peer, Peer added, CancellationToken cancellationToken)
    {
        try
        {
            await CreatePermissionAsync(peer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lock (_peersGate)
            {
                _peers.Remove(peer);
                _channels.Remove(added.Channel);
            }
            added.Permitted.TrySetException(e);
            return;
        }
        added.Permitted.TrySetResult();
        // The channel is bound in the background: datagrams go as Send indications until then.
        _ = BindAsync(peer, added);
    }

    private Task CreatePermissionAsync(IPEndPoint peer, CancellationToken cancellationToken) =>
        _requests.RequestAsync(TurnMessages.CreatePermission, request => request.AddXorAddress(StunAttribute.XorPeerAddress, peer), cancellationToken);

    private Task ChannelBindAsync(IPEndPoint peer, ushort channel, CancellationToken cancellationToken) =>
        _requests.RequestAsync(TurnMessages.ChannelBind, request => request
            .AddUInt32(StunAttribute.ChannelNumber, TurnMessages.ChannelNumberValue(channel))
            .AddXorAddress(StunAttribute.XorPeerAddress, peer), cancellationToken);

    /// <summary>Binds (or re-binds, which also renews the permission) <paramref name="added"/>'s channel.</summary>
    private async Task BindAsync(IPEndPoint peer, Peer added)
    {
        try
        {
            await ChannelBindAsync(peer, added.Channel, _stop.Token).ConfigureAwait(false);
            lock (_peersGate)
            {
                added.Bound = true;
            }
        }
        catch (Exception e) when (e is TurnException or OperationCanceledException)
        {
            TurnLog.BindFailed(_logger, Server.Uri, peer, e.Message);
        }
    }

    private bool IsPermitted(IPEndPoint peer)
    {
        lock (_peersGate)
        {
            return _peers.ContainsKey(peer);
        }
    }

    private IPEndPoint? PeerOnChannel(ushort channel)
    {
        lock (_peersGate)
        {
            return _channels.GetValueOrDefault(channel); // the server sends on a channel only once it is bound
        }
    }

    /// <summary>Whether datagrams to <paramref name="peer"/> go as ChannelData yet.</summary>
    internal bool IsBound(IPEndPoint peer)
    {
        lock (_peersGate)
        {
            return _peers.TryGetValue(StunAddress.Normalize(peer), out var state) && state.Bound;
        }
    }

    public async ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(datagram.Length, TurnMessages.MaxDatagram);
        peer = StunAddress.Normalize(peer);
        ushort channel;
        lock (_peersGate)
        {
            if (!_peers.TryGetValue(peer, out var state))
            {
                throw new InvalidOperationException($"{peer} is not permitted on this relay");
            }
            channel = state.Bound ? state.Channel : (ushort)0;
        }
        var rented = ArrayPool<byte>.Shared.Rent(datagram.Length + TurnMessages.ChannelHeaderSize);
        try
        {
            ReadOnlyMemory<byte> message = channel != 0
                ? rented.AsMemory(0, TurnMessages.WriteChannelData(rented, channel, datagram.Span))
                : new StunMessageBuilder(TurnMessages.SendIndication, capacity: datagram.Length + 64)
                    .AddXorAddress(StunAttribute.XorPeerAddress, peer).Add(StunAttribute.Data, datagram.Span).ToArray();
            await _socket.SendAsync(message, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            // An ICMP error for an earlier datagram; this one is lost as UDP may lose any.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
