using Parley.Core.Hub.Directory;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// What the directory feature keeps: signed entries and when each device was last seen. In the hub's
/// database (<see cref="DirectoryStore"/>), or shared by a cluster's hubs (<see cref="ClusterDirectoryStore"/>).
/// </summary>
internal interface IDirectoryStore
{
    ValueTask PublishAsync(DirectoryEntry entry, DateTimeOffset seen);

    ValueTask SeenAsync(DeviceId id, DateTimeOffset seen);

    /// <summary>True when the device has published an entry here (so it has been a member).</summary>
    ValueTask<bool> KnowsAsync(DeviceId id);

    /// <summary>Entries whose device ID starts with the query (8+ characters) or whose name equals it, ignoring case; latest seen first.</summary>
    ValueTask<IReadOnlyList<(DirectoryEntry Entry, DateTimeOffset LastSeen)>> FindAsync(string query, int limit);
}

/// <summary>
/// Published directory entries in the hub's database. Entries are kept exactly as signed; the hub
/// checks them on publish but every reader checks them again.
/// </summary>
internal sealed class DirectoryStore : IDirectoryStore
{
    private readonly HubDatabase _database;

    public DirectoryStore(HubDatabase database)
    {
        _database = database;
        _database.Execute("""
            CREATE TABLE IF NOT EXISTS directory (
                device_id TEXT PRIMARY KEY, name TEXT NOT NULL, entry BLOB NOT NULL, last_seen INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS directory_by_name ON directory (name COLLATE NOCASE);
            """);
    }

    public ValueTask PublishAsync(DirectoryEntry entry, DateTimeOffset seen)
    {
        Publish(entry, seen);
        return ValueTask.CompletedTask;
    }

    public ValueTask SeenAsync(DeviceId id, DateTimeOffset seen)
    {
        Seen(id, seen);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> KnowsAsync(DeviceId id) => ValueTask.FromResult(Knows(id));

    public ValueTask<IReadOnlyList<(DirectoryEntry Entry, DateTimeOffset LastSeen)>> FindAsync(string query, int limit) => ValueTask.FromResult(Find(query, limit));

    public void Publish(DirectoryEntry entry, DateTimeOffset seen) => _database.Execute("""
        INSERT INTO directory (device_id, name, entry, last_seen) VALUES ($id, $name, $entry, $seen)
        ON CONFLICT (device_id) DO UPDATE SET name = $name, entry = $entry, last_seen = $seen;
        """, ("$id", entry.DeviceId.Compact), ("$name", entry.Name), ("$entry", entry.ToArray()), ("$seen", seen.ToUnixTimeMilliseconds()));

    public void Seen(DeviceId id, DateTimeOffset seen) =>
        _database.Execute("UPDATE directory SET last_seen = $seen WHERE device_id = $id;", ("$id", id.Compact), ("$seen", seen.ToUnixTimeMilliseconds()));

    public bool Knows(DeviceId id) =>
        _database.Query("SELECT 1 FROM directory WHERE device_id = $id;", _ => true, ("$id", id.Compact)).Count > 0;

    public IReadOnlyList<(DirectoryEntry Entry, DateTimeOffset LastSeen)> Find(string query, int limit)
    {
        // LIKE wildcards in the typed text must not widen the prefix match.
        var prefix = DeviceId.Normalize(query).Replace("%", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        var rows = _database.Query("""
            SELECT entry, last_seen FROM directory
            WHERE name = $name COLLATE NOCASE OR (length($prefix) >= 8 AND device_id LIKE $prefix || '%')
            ORDER BY last_seen DESC LIMIT $limit;
            """, reader => ((byte[])reader[0], reader.GetInt64(1)), ("$name", query), ("$prefix", prefix), ("$limit", limit));
        var found = new List<(DirectoryEntry, DateTimeOffset)>(rows.Count);
        foreach (var (bytes, lastSeen) in rows)
        {
            if (WireMessage.TryRead<DirectoryEntry>(bytes, out var entry, out _))
            {
                found.Add((entry, DateTimeOffset.FromUnixTimeMilliseconds(lastSeen)));
            }
        }
        return found;
    }

    /// <summary>Stores an entry as it is, signed or not: for tests that check readers refuse forgeries.</summary>
    internal void PutUnchecked(DirectoryEntry entry, string deviceId) =>
        _database.Execute("INSERT OR REPLACE INTO directory (device_id, name, entry, last_seen) VALUES ($id, $name, $entry, 0);",
            ("$id", deviceId), ("$name", entry.Name), ("$entry", entry.ToArray()));
}
