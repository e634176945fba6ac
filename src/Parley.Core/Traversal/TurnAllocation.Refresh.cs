using System.Buffers.Binary;

namespace Parley.Core.Traversal;

/// <summary>
/// Keeping an allocation alive (RFC 8656 §8, §9, §12): a Refresh at half of each granted lifetime,
/// and every permission renewed (by ChannelBind once its channel is bound, which renews both) well
/// before its 300 s run out. A failed renewal is tried again a second later until the allocation
/// would have expired; then it is lost, and a reader hears so.
/// </summary>
public sealed partial class TurnAllocation
{
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _refreshStop = new();
    private Task _refreshing = Task.CompletedTask;
    private DateTimeOffset _expiresAt;
    private DateTimeOffset _refreshAt;

    private void Extend(TimeSpan lifetime)
    {
        var now = _options.TimeProvider.GetUtcNow();
        _expiresAt = now + lifetime;
        _refreshAt = now + lifetime / 2;
    }

    /// <summary>The LIFETIME a response granted (§18.2), or the protocol's default when it said none.</summary>
    private static TimeSpan ReadLifetime(in StunMessage message) =>
        message.TryGet(StunAttribute.Lifetime, out var value) && value.Length == 4 ? TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(value)) : DefaultLifetime;

    private void StartRefreshing() => _refreshing = Task.Run(RefreshLoopAsync, CancellationToken.None);

    private async Task StopRefreshingAsync()
    {
        await _refreshStop.CancelAsync().ConfigureAwait(false);
        await _refreshing.ConfigureAwait(false);
        _refreshStop.Dispose();
    }

    private async Task RefreshLoopAsync()
    {
        var time = _options.TimeProvider;
        var stop = _refreshStop.Token;
        while (!stop.IsCancellationRequested)
        {
            var wait = NextRenewal() - time.GetUtcNow();
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stop).ConfigureAwait(false);
                }
                if (!await RenewAllocationAsync(stop).ConfigureAwait(false))
                {
                    return;
                }
                await RenewPeersAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private DateTimeOffset NextRenewal()
    {
        var next = _refreshAt;
        lock (_peersGate)
        {
            foreach (var peer in _peers.Values)
            {
                next = peer.RenewAt < next ? peer.RenewAt : next;
            }
        }
        return next;
    }

    /// <summary>False once the allocation is lost (the server forgot it, or it expired while refreshes failed).</summary>
    private async Task<bool> RenewAllocationAsync(CancellationToken stop)
    {
        var now = _options.TimeProvider.GetUtcNow();
        if (now < _refreshAt)
        {
            return true;
        }
        try
        {
            var response = await _requests.RequestAsync(TurnMessages.Refresh, request => request
                .AddUInt32(StunAttribute.Lifetime, (uint)_options.Lifetime.TotalSeconds), stop).ConfigureAwait(false);
            Extend(StunMessage.TryParse(response, out var message) ? ReadLifetime(message) : DefaultLifetime);
            return true;
        }
        catch (TurnException e)
        {
            if (e.Code == 437 || _options.TimeProvider.GetUtcNow() >= _expiresAt)
            {
                TurnLog.Lost(_logger, Server.Uri, RelayedAddress, e.Message);
                _received.Writer.TryComplete(e);
                return false;
            }
            TurnLog.RefreshFailed(_logger, Server.Uri, "the allocation", e.Message);
            _refreshAt = _options.TimeProvider.GetUtcNow() + RetryDelay;
            return true;
        }
    }

    private async Task RenewPeersAsync(CancellationToken stop)
    {
        List<(System.Net.IPEndPoint Address, Peer State)> due;
        var now = _options.TimeProvider.GetUtcNow();
        lock (_peersGate)
        {
            due = [.. _peers.Where(p => p.Value.RenewAt <= now).Select(p => (p.Key, p.Value))];
        }
        foreach (var (address, peer) in due)
        {
            try
            {
                await (peer.Bound ? ChannelBindAsync(address, peer.Channel, stop) : CreatePermissionAsync(address, stop)).ConfigureAwait(false);
                peer.RenewAt = _options.TimeProvider.GetUtcNow() + _options.PermissionRefresh;
            }
            catch (TurnException e)
            {
                TurnLog.RefreshFailed(_logger, Server.Uri, $"the permission for {address}", e.Message);
                peer.RenewAt = _options.TimeProvider.GetUtcNow() + RetryDelay;
            }
        }
    }
}
