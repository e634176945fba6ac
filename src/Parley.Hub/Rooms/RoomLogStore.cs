using Microsoft.Data.Sqlite;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>One entry of a room's log as stored: ciphertext, or a notice, never anything readable.</summary>
internal sealed record StoredEntry(string Room, ulong Seq, DateTimeOffset At, RoomEntryKind Kind, DeviceId Sender, byte[] Body)
{
    public RoomEntry ToEntry() => new(Room, Seq, At, Kind, Sender, Body);
}

/// <summary>A room's log bounds as stored: the last sequence number given and the oldest entry kept.</summary>
internal sealed record LogBounds(ulong Head, ulong Oldest);

/// <summary>
/// Rooms' logs in the hub's database: entries (sealed messages and notices), each member's join point
/// and read position, and sender keys held until their recipient acknowledges them. Appends are
/// written in batches, one transaction each, so many members' posts share one disk flush.
/// </summary>
internal sealed class RoomLogStore
{
    private readonly HubDatabase _database;

    public RoomLogStore(HubDatabase database)
    {
        _database = database;
        _database.Execute("""
            CREATE TABLE IF NOT EXISTS room_log (room TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, kind INTEGER NOT NULL,
                sender BLOB NOT NULL, body BLOB NOT NULL, PRIMARY KEY (room, seq)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS room_log_bounds (room TEXT PRIMARY KEY, head INTEGER NOT NULL, oldest INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS room_positions (room TEXT NOT NULL, device BLOB NOT NULL, joined INTEGER NOT NULL, position INTEGER NOT NULL,
                PRIMARY KEY (room, device)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS room_held_keys (room TEXT NOT NULL, recipient BLOB NOT NULL, sender BLOB NOT NULL, key_id INTEGER NOT NULL,
                frame BLOB NOT NULL, held_at INTEGER NOT NULL, PRIMARY KEY (room, recipient, sender, key_id)) WITHOUT ROWID;
            """);
    }

    public Dictionary<string, LogBounds> LoadBounds() =>
        _database.Query("SELECT room, head, oldest FROM room_log_bounds;", r => (r.GetString(0), new LogBounds((ulong)r.GetInt64(1), (ulong)r.GetInt64(2))))
            .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);

    public List<(string Room, DeviceId Member, ulong Joined, ulong Position)> LoadPositions() =>
        _database.Query("SELECT room, device, joined, position FROM room_positions;",
            r => (r.GetString(0), new DeviceId((byte[])r[1]), (ulong)r.GetInt64(2), (ulong)r.GetInt64(3)));

    /// <summary>Bytes each sender has in each room's log (for quotas and retention).</summary>
    public List<(string Room, DeviceId Sender, long Bytes)> LoadBytes() =>
        _database.Query("SELECT room, sender, sum(length(body)) FROM room_log GROUP BY room, sender;",
            r => (r.GetString(0), new DeviceId((byte[])r[1]), r.GetInt64(2)));

    /// <summary>Writes entries and the rooms' new heads in one transaction (on disk when this returns).</summary>
    public void Append(IReadOnlyList<StoredEntry> entries, IReadOnlyDictionary<string, LogBounds> bounds) => _database.Run(connection =>
    {
        using var transaction = connection.BeginTransaction();
        using var insert = Command(connection, transaction, "INSERT INTO room_log (room, seq, at, kind, sender, body) VALUES ($r, $s, $a, $k, $f, $b);");
        foreach (var entry in entries)
        {
            Set(insert, ("$r", entry.Room), ("$s", (long)entry.Seq), ("$a", entry.At.ToUnixTimeMilliseconds()), ("$k", (int)entry.Kind),
                ("$f", entry.Sender.Bytes.ToArray()), ("$b", entry.Body));
            insert.ExecuteNonQuery();
        }
        WriteBounds(connection, transaction, bounds);
        transaction.Commit();
        return 0;
    });

    /// <summary>Entries of <paramref name="room"/> after <paramref name="after"/>, in order, at most <paramref name="limit"/>.</summary>
    public List<StoredEntry> Read(string room, ulong after, int limit) => _database.Query(
        "SELECT seq, at, kind, sender, body FROM room_log WHERE room = $r AND seq > $s ORDER BY seq LIMIT $l;",
        r => new StoredEntry(room, (ulong)r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), (RoomEntryKind)r.GetInt32(2),
            new DeviceId((byte[])r[3]), (byte[])r[4]),
        ("$r", room), ("$s", (long)after), ("$l", limit));

    /// <summary>Drops <paramref name="room"/>'s entries up to <paramref name="through"/>; returns the bytes each sender got back.</summary>
    public List<(DeviceId Sender, long Bytes)> Prune(string room, ulong through, LogBounds bounds) => _database.Run(connection =>
    {
        using var transaction = connection.BeginTransaction();
        var freed = new List<(DeviceId, long)>();
        using (var sum = Command(connection, transaction, "SELECT sender, sum(length(body)) FROM room_log WHERE room = $r AND seq <= $s GROUP BY sender;"))
        {
            Set(sum, ("$r", room), ("$s", (long)through));
            using var reader = sum.ExecuteReader();
            while (reader.Read())
            {
                freed.Add((new DeviceId((byte[])reader[0]), reader.GetInt64(1)));
            }
        }
        using (var delete = Command(connection, transaction, "DELETE FROM room_log WHERE room = $r AND seq <= $s;"))
        {
            Set(delete, ("$r", room), ("$s", (long)through));
            delete.ExecuteNonQuery();
        }
        WriteBounds(connection, transaction, new Dictionary<string, LogBounds> { [room] = bounds });
        transaction.Commit();
        return freed;
    });

    /// <summary>The sequence number of the newest entry of <paramref name="room"/> stored before <paramref name="before"/>, or 0.</summary>
    public ulong LastBefore(string room, DateTimeOffset before) => _database.Run(connection =>
    {
        using var command = Command(connection, null, "SELECT max(seq) FROM room_log WHERE room = $r AND at < $a;");
        Set(command, ("$r", room), ("$a", before.ToUnixTimeMilliseconds()));
        return command.ExecuteScalar() is long seq ? (ulong)seq : 0UL;
    });

    public void SavePositions(IEnumerable<(string Room, DeviceId Member, ulong Joined, ulong Position)> positions) => _database.Run(connection =>
    {
        using var transaction = connection.BeginTransaction();
        using var upsert = Command(connection, transaction, "INSERT OR REPLACE INTO room_positions (room, device, joined, position) VALUES ($r, $d, $j, $p);");
        foreach (var (room, member, joined, position) in positions)
        {
            Set(upsert, ("$r", room), ("$d", member.Bytes.ToArray()), ("$j", (long)joined), ("$p", (long)position));
            upsert.ExecuteNonQuery();
        }
        transaction.Commit();
        return 0;
    });

    /// <summary>The member left: its place and the keys held for it go.</summary>
    public void Forget(string room, DeviceId member) => _database.Run(connection =>
    {
        using var transaction = connection.BeginTransaction();
        foreach (var sql in (string[])["DELETE FROM room_positions WHERE room = $r AND device = $d;", "DELETE FROM room_held_keys WHERE room = $r AND recipient = $d;"])
        {
            using var command = Command(connection, transaction, sql);
            Set(command, ("$r", room), ("$d", member.Bytes.ToArray()));
            command.ExecuteNonQuery();
        }
        transaction.Commit();
        return 0;
    });

    /// <summary>Holds a sealed key for its recipient, keeping at most <paramref name="keep"/> per recipient, sender and room (the oldest go).</summary>
    public void HoldKey(RoomKey key, byte[] frame, DateTimeOffset now, int keep) => _database.Run(connection =>
    {
        using var transaction = connection.BeginTransaction();
        using (var insert = Command(connection, transaction,
            "INSERT OR REPLACE INTO room_held_keys (room, recipient, sender, key_id, frame, held_at) VALUES ($r, $t, $f, $k, $b, $a);"))
        {
            Set(insert, ("$r", key.Room), ("$t", key.To.Bytes.ToArray()), ("$f", key.From.Bytes.ToArray()), ("$k", (long)key.KeyId), ("$b", frame),
                ("$a", now.ToUnixTimeMilliseconds()));
            insert.ExecuteNonQuery();
        }
        using (var trim = Command(connection, transaction, """
            DELETE FROM room_held_keys WHERE room = $r AND recipient = $t AND sender = $f AND key_id NOT IN (
                SELECT key_id FROM room_held_keys WHERE room = $r AND recipient = $t AND sender = $f
                ORDER BY key_id = $k DESC, held_at DESC LIMIT $n);
            """))
        {
            // Counted, not dated: keys held in the same millisecond count too; the one just held always stays.
            Set(trim, ("$r", key.Room), ("$t", key.To.Bytes.ToArray()), ("$f", key.From.Bytes.ToArray()), ("$k", (long)key.KeyId), ("$n", keep));
            trim.ExecuteNonQuery();
        }
        transaction.Commit();
        return 0;
    });

    public List<byte[]> HeldKeys(string room, DeviceId recipient) => _database.Query(
        "SELECT frame FROM room_held_keys WHERE room = $r AND recipient = $t ORDER BY held_at;", r => (byte[])r[0],
        ("$r", room), ("$t", recipient.Bytes.ToArray()));

    public void ReleaseKey(string room, DeviceId recipient, DeviceId sender, uint keyId) => _database.Execute(
        "DELETE FROM room_held_keys WHERE room = $r AND recipient = $t AND sender = $f AND key_id = $k;",
        ("$r", room), ("$t", recipient.Bytes.ToArray()), ("$f", sender.Bytes.ToArray()), ("$k", (long)keyId));

    private static void WriteBounds(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyDictionary<string, LogBounds> bounds)
    {
        using var upsert = Command(connection, transaction, "INSERT OR REPLACE INTO room_log_bounds (room, head, oldest) VALUES ($r, $h, $o);");
        foreach (var (room, (head, oldest)) in bounds)
        {
            Set(upsert, ("$r", room), ("$h", (long)head), ("$o", (long)oldest));
            upsert.ExecuteNonQuery();
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Set(SqliteCommand command, params (string Name, object Value)[] values)
    {
        command.Parameters.Clear();
        foreach (var (name, value) in values)
        {
            command.Parameters.AddWithValue(name, value);
        }
    }
}
