using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// The cluster's live hubs: each keeps its invite (its addresses) in the hubs bucket under its instance,
/// refreshed a third of the TTL, and watches the others'. <see cref="Invite"/> lists every live hub's
/// addresses, this one's first, so a node tries them in turn and moves on when its hub goes away.
/// </summary>
internal sealed class ClusterHubs : IAsyncDisposable
{
    private sealed record LiveHub(Invite Invite, DateTimeOffset Heard);

    private readonly NatsCluster _cluster;
    private readonly Invite _own;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, LiveHub> _others = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _refresh;
    private readonly Task _watching;

    public ClusterHubs(NatsCluster cluster, Invite own, TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        _cluster = cluster;
        _own = own;
        _ttl = ttl;
        _time = time;
        _logger = logger;
        _refresh = time.CreateTimer(_ => _ = RefreshAsync(), null, TimeSpan.Zero, ttl / 3);
        _watching = Task.Run(WatchAsync);
    }

    private string Key => _cluster.Instance.ToString("x16");

    /// <summary>Raised when a hub joined or left the invite.</summary>
    public event Action? Changed;

    /// <summary>This hub's own invite: where the other hubs (and nodes) reach it.</summary>
    public Invite Own => _own;

    /// <summary>Hubs of the cluster alive now, this one included.</summary>
    public int Count => 1 + _others.Count;

    public Invite Invite
    {
        get
        {
            var stale = _time.GetUtcNow() - _ttl;
            var addresses = _own.Addresses.Concat(_others.Values.Where(h => h.Heard >= stale).OrderBy(h => h.Invite.ToString(), StringComparer.Ordinal)
                .SelectMany(h => h.Invite.Addresses)).Distinct().Take(Invite.MaxAddresses);
            return _own with { Addresses = [.. addresses] };
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            await _cluster.Hubs.PutAsync(Key, _own.ToString(), cancellationToken: _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
        {
            ClusterLog.Failed(_logger, "hub refresh", e.GetType().Name);
        }
        var stale = _time.GetUtcNow() - _ttl;
        foreach (var (key, hub) in _others)
        {
            if (hub.Heard < stale && _others.TryRemove(new KeyValuePair<string, LiveHub>(key, hub)))
            {
                Changed?.Invoke();
            }
        }
    }

    private async Task WatchAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (var entry in _cluster.Hubs.WatchAsync<string>(cancellationToken: _stopping.Token).ConfigureAwait(false))
                {
                    Heard(entry.Key, entry.Operation, entry.Value);
                }
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                ClusterLog.Failed(_logger, "hub watch", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Another hub's invite, read as untrusted text: it must parse and name this cluster's hub.</summary>
    private void Heard(string key, NatsKVOperation operation, string? value)
    {
        if (key == Key)
        {
            return;
        }
        if (operation != NatsKVOperation.Put)
        {
            if (_others.TryRemove(key, out _))
            {
                Changed?.Invoke();
            }
            return;
        }
        if (!Invite.TryParse(value ?? "", out var invite, out var error) || invite!.DeviceId != _own.DeviceId)
        {
            ClusterLog.Malformed(_logger, "hub invite", key.Length <= 64 ? key : key[..64], invite is null ? error : "another hub's identity");
            return;
        }
        var isNew = !_others.ContainsKey(key);
        _others[key] = new LiveHub(invite, _time.GetUtcNow());
        if (isNew)
        {
            Changed?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _refresh.DisposeAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        try
        {
            // Leaving on purpose: out of the invite at once rather than after the TTL.
            await _cluster.Hubs.DeleteAsync(Key).AsTask().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            ClusterLog.Failed(_logger, "hub leave", e.GetType().Name);
        }
        _stopping.Dispose();
    }
}
