using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Directory;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// The signed directory shared by a cluster's hubs: a key per device in the directory bucket. Each hub
/// watches the bucket into memory for lookups by name or ID prefix (a whois never waits on NATS), and
/// checks every record it reads back (size, shape, signature, key) as it checks what members send.
/// </summary>
internal sealed class ClusterDirectoryStore : IDirectoryStore, IAsyncDisposable
{
    private readonly NatsCluster _cluster;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<DeviceId, ClusterDirectoryRecord> _entries = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;

    public ClusterDirectoryStore(NatsCluster cluster, TimeProvider time, ILogger logger)
    {
        _cluster = cluster;
        _time = time;
        _logger = logger;
        _watching = Task.Run(WatchAsync);
    }

    public async ValueTask PublishAsync(DirectoryEntry entry, DateTimeOffset seen)
    {
        var record = new ClusterDirectoryRecord(seen, entry);
        await ClusterCalls.RunAsync(() => _cluster.Directory.PutAsync(entry.DeviceId.Compact, record.ToArray()), "directory publish").ConfigureAwait(false);
        _entries[entry.DeviceId] = record;
    }

    public async ValueTask SeenAsync(DeviceId id, DateTimeOffset seen)
    {
        if (_entries.TryGetValue(id, out var known))
        {
            try
            {
                await _cluster.Directory.PutAsync(id.Compact, (known with { LastSeen = seen }).ToArray(), cancellationToken: _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
            {
                ClusterLog.Failed(_logger, "directory last seen", e.GetType().Name);
            }
        }
    }

    /// <summary>Asks the bucket itself (not the copy in memory): mail is held only for devices the cluster knows.</summary>
    public async ValueTask<bool> KnowsAsync(DeviceId id)
    {
        var entry = await ClusterCalls.RunAsync(() => _cluster.Directory.TryGetEntryAsync<byte[]>(id.Compact), "directory lookup").ConfigureAwait(false);
        return entry.Success && Check(id, entry.Value.Value) is not null;
    }

    public ValueTask<IReadOnlyList<(DirectoryEntry Entry, DateTimeOffset LastSeen)>> FindAsync(string query, int limit)
    {
        var prefix = DeviceId.Normalize(query);
        IReadOnlyList<(DirectoryEntry, DateTimeOffset)> found = [.. _entries
            .Where(e => string.Equals(e.Value.Entry.Name, query, StringComparison.OrdinalIgnoreCase)
                || (prefix.Length >= 8 && e.Key.Compact.StartsWith(prefix, StringComparison.Ordinal)))
            .OrderByDescending(e => e.Value.LastSeen)
            .Take(limit)
            .Select(e => (e.Value.Entry, e.Value.LastSeen))];
        return ValueTask.FromResult(found);
    }

    private async Task WatchAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (var entry in _cluster.Directory.WatchAsync<byte[]>(cancellationToken: _stopping.Token).ConfigureAwait(false))
                {
                    if (!DeviceId.TryParse(entry.Key, out var id))
                    {
                        ClusterLog.Malformed(_logger, "directory key", entry.Key.Length <= 64 ? entry.Key : entry.Key[..64], "not a device ID");
                    }
                    else if (entry.Operation != NatsKVOperation.Put)
                    {
                        _entries.TryRemove(id, out _);
                    }
                    else if (Check(id, entry.Value) is { } record)
                    {
                        _entries[id] = record;
                    }
                }
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                ClusterLog.Failed(_logger, "directory watch", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The record if it reads, is signed by its device and sits under that device's key; else null (and logged).</summary>
    private ClusterDirectoryRecord? Check(DeviceId id, byte[]? value)
    {
        if (!WireMessage.TryRead<ClusterDirectoryRecord>(value ?? [], out var record, out var error))
        {
            ClusterLog.Malformed(_logger, "directory record", id.Short, error);
            return null;
        }
        if (record.Entry.DeviceId != id || !record.Entry.Verify())
        {
            ClusterLog.Malformed(_logger, "directory record", id.Short, "not signed by the device of its key");
            return null;
        }
        return record;
    }

    /// <summary>Writes a record as it is, signed or not: for tests that check hubs refuse what they read back.</summary>
    internal Task PutUncheckedAsync(string key, byte[] value) => _cluster.Directory.PutAsync(key, value).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
