using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Presence;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Presence shared through the cluster's presence bucket: each hub keeps a key per member of its own
/// (the member's device ID), refreshed every third of the TTL, the members spread over that interval
/// (<see cref="RefreshSchedule{TKey}"/>), and watches the bucket for everyone else's.
/// The bucket's TTL forgets a dead hub's members; since NATS 2.9 tells no one when a key ages out, a
/// member elsewhere not refreshed within the TTL is taken as gone here too.
/// </summary>
internal sealed class ClusterPresenceShare : IPresenceShare, IAsyncDisposable
{
    private sealed record Remote(ClusterPresenceRecord Record, DateTimeOffset Heard);

    private readonly NatsCluster _cluster;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<DeviceId, Member> _local = new();
    private readonly ConcurrentDictionary<DeviceId, Remote> _elsewhere = new();
    private readonly RefreshSchedule<DeviceId> _schedule;
    private readonly Lock _membership = new(); // a member's place in _local and in _schedule change together (a rejoin racing a leave)
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _refresh;
    private readonly Task _watching;
    private Action<PresenceNotice> _changed = _ => { };

    /// <summary>How finely the refreshes are spread: a tick every 200 ms at the default 15 s TTL.</summary>
    private const int TicksPerInterval = 25;

    public ClusterPresenceShare(NatsCluster cluster, TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        _cluster = cluster;
        _ttl = ttl;
        _time = time;
        _logger = logger;
        _schedule = new RefreshSchedule<DeviceId>(ttl / 3, Random.Shared.NextDouble);
        var tick = ttl / 3 / TicksPerInterval;
        _refresh = time.CreateTimer(_ => Refresh(), null, tick, tick);
        _watching = Task.Run(WatchAsync);
    }

    public IReadOnlyCollection<PresenceNotice> Elsewhere => [.. _elsewhere.Values.Select(r => r.Record.Notice)];

    public bool IsOnlineElsewhere(DeviceId id) => _elsewhere.ContainsKey(id);

    /// <summary>The instance of the hub <paramref name="id"/> is online on, when that is another hub.</summary>
    public ulong? HubOf(DeviceId id) => _elsewhere.TryGetValue(id, out var remote) ? remote.Record.HubInstance : null;

    public void Subscribe(Action<PresenceNotice> changed) => _changed += changed;

    public void Here(Member member)
    {
        lock (_membership)
        {
            _local[member.Id] = member;
            _schedule.Add(member.Id, _time.GetUtcNow());
        }
        _ = PutAsync(member);
    }

    public void Left(Member member)
    {
        bool removed;
        lock (_membership)
        {
            removed = _local.TryRemove(new KeyValuePair<DeviceId, Member>(member.Id, member));
            if (removed)
            {
                _schedule.Remove(member.Id);
            }
        }
        if (removed)
        {
            _ = WithdrawAsync(member.Id);
        }
    }

    private async Task PutAsync(Member member)
    {
        var record = new ClusterPresenceRecord(_cluster.Instance, new PresenceNotice(PresenceKind.Joined, member.Id, _time.GetUtcNow(), member.Name, member.Address));
        try
        {
            await _cluster.Presence.PutAsync(member.Id.Compact, record.ToArray(), cancellationToken: _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
        {
            ClusterLog.Failed(_logger, "presence refresh", e.GetType().Name);
        }
    }

    /// <summary>Deletes the member's key only while it is still ours: it may have moved to another hub since.</summary>
    private async Task WithdrawAsync(DeviceId id)
    {
        try
        {
            var entry = await _cluster.Presence.TryGetEntryAsync<byte[]>(id.Compact, cancellationToken: _stopping.Token).ConfigureAwait(false);
            if (entry.Success && WireMessage.TryRead<ClusterPresenceRecord>(entry.Value.Value, out var record, out _) && record.HubInstance == _cluster.Instance)
            {
                await _cluster.Presence.TryDeleteAsync(id.Compact, new NatsKVDeleteOpts { Revision = entry.Value.Revision }, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
        {
            ClusterLog.Failed(_logger, "presence withdraw", e.GetType().Name);
        }
    }

    private void Refresh()
    {
        var now = _time.GetUtcNow();
        foreach (var (id, member) in _local)
        {
            if (_schedule.TakeIfDue(id, now))
            {
                _ = PutAsync(member);
            }
        }
        var stale = now - _ttl;
        foreach (var (id, remote) in _elsewhere)
        {
            if (remote.Heard < stale && _elsewhere.TryRemove(new KeyValuePair<DeviceId, Remote>(id, remote)))
            {
                _changed(remote.Record.Notice with { Kind = PresenceKind.Left, Address = "", LastSeen = _time.GetUtcNow() });
            }
        }
    }

    private async Task WatchAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (var entry in _cluster.Presence.WatchAsync<byte[]>(cancellationToken: _stopping.Token).ConfigureAwait(false))
                {
                    Heard(entry.Key, entry.Operation, entry.Value);
                }
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                ClusterLog.Failed(_logger, "presence watch", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One change in the bucket, from any hub (ours included), read as untrusted bytes.</summary>
    private void Heard(string key, NatsKVOperation operation, byte[]? value)
    {
        if (!DeviceId.TryParse(key, out var id))
        {
            ClusterLog.Malformed(_logger, "presence key", key.Length <= 64 ? key : key[..64], "not a device ID");
            return;
        }
        if (operation != NatsKVOperation.Put)
        {
            if (_elsewhere.TryRemove(id, out var gone))
            {
                _changed(gone.Record.Notice with { Kind = PresenceKind.Left, Address = "", LastSeen = _time.GetUtcNow() });
            }
            return;
        }
        if (!WireMessage.TryRead<ClusterPresenceRecord>(value ?? [], out var record, out var error) || record.Notice.DeviceId != id)
        {
            ClusterLog.Malformed(_logger, "presence record", id.Short, record is null ? error : "its key is another device");
            return;
        }
        if (record.HubInstance == _cluster.Instance)
        {
            _elsewhere.TryRemove(id, out _); // ours now (it moved here): this hub tells of it
            return;
        }
        var before = _elsewhere.TryGetValue(id, out var known) ? known.Record.Notice : null;
        _elsewhere[id] = new Remote(record, _time.GetUtcNow());
        if (before is null || before.Name != record.Notice.Name || before.Address != record.Notice.Address)
        {
            _changed(record.Notice with { Kind = PresenceKind.Joined });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _refresh.DisposeAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
