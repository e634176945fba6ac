using Microsoft.Data.Sqlite;
using Parley.Core.Hub.Directory;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// The hub's store of published directory entries and last-seen times (SQLite, WAL). Entries are
/// kept exactly as signed; the hub checks them on publish but every reader checks them again.
/// </summary>
internal sealed class HubDirectory : IDisposable
{
    public const string FileName = "hub.db";
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    public HubDirectory(string home)
    {
        System.IO.Directory.CreateDirectory(home);
        var path = Path.Combine(home, FileName);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS directory (
                device_id TEXT PRIMARY KEY, name TEXT NOT NULL, entry BLOB NOT NULL, last_seen INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS directory_by_name ON directory (name COLLATE NOCASE);
            CREATE TABLE IF NOT EXISTS mailbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL, sender TEXT NOT NULL, item BLOB NOT NULL, stored_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS mailbox_by_recipient ON mailbox (recipient, id);
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        Rooms = new HubRooms(_connection);
    }

    /// <summary>Rooms and membership, in the same database.</summary>
    public HubRooms Rooms { get; }

    public void Publish(DirectoryEntry entry, DateTimeOffset seen)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO directory (device_id, name, entry, last_seen) VALUES ($id, $name, $entry, $seen)
                ON CONFLICT (device_id) DO UPDATE SET name = $name, entry = $entry, last_seen = $seen;
                """;
            command.Parameters.AddWithValue("$id", entry.DeviceId.Compact);
            command.Parameters.AddWithValue("$name", entry.Name);
            command.Parameters.AddWithValue("$entry", entry.ToArray());
            command.Parameters.AddWithValue("$seen", seen.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
    }

    public void Seen(DeviceId id, DateTimeOffset seen)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "UPDATE directory SET last_seen = $seen WHERE device_id = $id;";
            command.Parameters.AddWithValue("$id", id.Compact);
            command.Parameters.AddWithValue("$seen", seen.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Entries whose device ID starts with the query (8+ characters) or whose name equals it, ignoring case.</summary>
    public List<(DirectoryEntry Entry, DateTimeOffset LastSeen)> Find(string query, int limit)
    {
        var prefix = DeviceId.Normalize(query);
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT entry, last_seen FROM directory
                WHERE name = $name COLLATE NOCASE OR (length($prefix) >= 8 AND device_id LIKE $prefix || '%')
                ORDER BY last_seen DESC LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$name", query);
            command.Parameters.AddWithValue("$prefix", prefix.Replace("%", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal));
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var found = new List<(DirectoryEntry, DateTimeOffset)>();
            while (reader.Read())
            {
                if (WireMessage.TryRead<DirectoryEntry>((byte[])reader[0], out var entry, out _))
                {
                    found.Add((entry, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
                }
            }
            return found;
        }
    }

    /// <summary>Stores a sealed item for <paramref name="recipient"/> unless its quota (count or bytes) is full; returns why not, or null.</summary>
    public string? PutMail(DeviceId recipient, DeviceId sender, byte[] item, int maxMessages, long maxBytes, DateTimeOffset now)
    {
        lock (_lock)
        {
            using var usage = _connection.CreateCommand();
            usage.CommandText = "SELECT count(*), coalesce(sum(length(item)), 0) FROM mailbox WHERE recipient = $r;";
            usage.Parameters.AddWithValue("$r", recipient.Compact);
            using (var reader = usage.ExecuteReader())
            {
                reader.Read();
                if (reader.GetInt64(0) >= maxMessages || reader.GetInt64(1) + item.Length > maxBytes)
                {
                    return $"the mailbox for {recipient.Short} is full ({maxMessages} messages or {maxBytes / (1 << 20)} MiB); try again when they have been online";
                }
            }
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO mailbox (recipient, sender, item, stored_at) VALUES ($r, $s, $item, $at);";
            insert.Parameters.AddWithValue("$r", recipient.Compact);
            insert.Parameters.AddWithValue("$s", sender.Compact);
            insert.Parameters.AddWithValue("$item", item);
            insert.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
            return null;
        }
    }

    public List<(long Id, byte[] Item)> MailFor(DeviceId recipient)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, item FROM mailbox WHERE recipient = $r ORDER BY id;";
            command.Parameters.AddWithValue("$r", recipient.Compact);
            using var reader = command.ExecuteReader();
            var items = new List<(long, byte[])>();
            while (reader.Read())
            {
                items.Add((reader.GetInt64(0), (byte[])reader[1]));
            }
            return items;
        }
    }

    /// <summary>Deletes an item once its recipient (and only its recipient) has acknowledged it.</summary>
    public void DeleteMail(DeviceId recipient, long id)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM mailbox WHERE id = $id AND recipient = $r;";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$r", recipient.Compact);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Stores an entry as it is, signed or not: for tests that check readers refuse forgeries.</summary>
    internal void PutUnchecked(DirectoryEntry entry, string deviceId)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO directory (device_id, name, entry, last_seen) VALUES ($id, $name, $entry, 0);";
            command.Parameters.AddWithValue("$id", deviceId);
            command.Parameters.AddWithValue("$name", entry.Name);
            command.Parameters.AddWithValue("$entry", entry.ToArray());
            command.ExecuteNonQuery();
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
