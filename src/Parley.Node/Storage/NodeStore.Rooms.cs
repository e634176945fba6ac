using Microsoft.Data.Sqlite;

namespace Parley.Node.Storage;

/// <summary>A sender key as a room member keeps it: its owner, ID, the first message it opens and that message's chain link.</summary>
public sealed record StoredRoomKey(string Member, uint KeyId, ulong Start, byte[] Link);

/// <summary>An entry of a room's log as stored: a message (opened, or waiting for its key with its sealed bytes) or a notice.</summary>
public sealed record RoomRow(Guid Id, string Text, DateTimeOffset SentAt, string Sender, long RoomSeq, MessageState State, byte[]? Sealed = null);

/// <summary>A room message kept sealed until its key comes.</summary>
public sealed record WaitingRoomMessage(Guid Id, string Sender, long RoomSeq, byte[] Sealed, DateTimeOffset At);

/// <summary>Rooms' end-to-end state: sender keys (ours and others'), messages waiting for a key, our read position in each room's log.</summary>
public sealed partial class NodeStore
{
    public Task SaveRoomKeyAsync(string room, StoredRoomKey key) => WriteAsync(connection =>
        Prepared(connection, "INSERT OR REPLACE INTO room_keys (room, member, key_id, start, link, created_at) VALUES ($r, $m, $k, $s, $l, $t);",
            ("$r", room), ("$m", key.Member), ("$k", (long)key.KeyId), ("$s", (long)key.Start), ("$l", key.Link),
            ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ExecuteNonQuery());

    public Task<IReadOnlyList<StoredRoomKey>> RoomKeysAsync(string room) => ReadAsync<IReadOnlyList<StoredRoomKey>>(connection =>
    {
        using var command = Command(connection, "SELECT member, key_id, start, link FROM room_keys WHERE room = $r;", ("$r", room));
        using var reader = command.ExecuteReader();
        var keys = new List<StoredRoomKey>();
        while (reader.Read())
        {
            keys.Add(new StoredRoomKey(reader.GetString(0), (uint)reader.GetInt64(1), (ulong)reader.GetInt64(2), (byte[])reader[3]));
        }
        return keys;
    });

    /// <summary>
    /// We left the room: our read position goes (a rejoin reads from its new join on). Its history stays,
    /// and so do the keys: ours, to answer a member who asks for the key of something we said while in it.
    /// </summary>
    public Task ForgetRoomAsync(string room) => WriteAsync(connection =>
        Prepared(connection, "DELETE FROM room_positions WHERE room = $r;", ("$r", room)).ExecuteNonQuery());

    public Task<long> RoomPositionAsync(string room) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT position FROM room_positions WHERE room = $r;", ("$r", room));
        return command.ExecuteScalar() is long position ? position : 0L;
    });

    public Task SetRoomPositionAsync(string room, long position) => WriteAsync(connection =>
        Prepared(connection, "INSERT OR REPLACE INTO room_positions (room, position) VALUES ($r, $p);", ("$r", room), ("$p", position)).ExecuteNonQuery());

    /// <summary>Stores one of our room messages with the key and counter it was sealed with (to answer key requests) and its sealed form (to post again).</summary>
    public Task InsertOwnRoomMessageAsync(MessageRecord message, uint keyId, ulong counter, byte[] sealedMessage) => WriteAsync(connection =>
        Prepared(connection, """
            INSERT OR IGNORE INTO messages (id, peer, outgoing, text, sent_at, state, sender, key_id, key_counter, sealed)
            VALUES ($id, $peer, 1, $text, $sent, $state, $sender, $k, $c, $b);
            """,
            ("$id", message.Id.ToString("N")), ("$peer", message.Peer), ("$text", message.Text), ("$sent", message.SentAt.ToUnixTimeMilliseconds()),
            ("$state", message.State.ToString()), ("$sender", message.Sender), ("$k", (long)keyId), ("$c", (long)counter), ("$b", sealedMessage))
            .ExecuteNonQuery());

    /// <summary>The hub stored our message at <paramref name="roomSeq"/>: its sealed copy is no longer needed.</summary>
    public Task SetRoomSeqAsync(Guid id, long roomSeq) => WriteAsync(connection =>
        Prepared(connection, "UPDATE messages SET room_seq = $s, sealed = NULL WHERE id = $id;", ("$id", id.ToString("N")), ("$s", roomSeq)).ExecuteNonQuery());

    /// <summary>Our room messages the hub has not confirmed (the link dropped first), oldest first, with their sealed form to post again.</summary>
    public Task<IReadOnlyList<(Guid Id, byte[] Sealed)>> UnpostedRoomMessagesAsync(string peer) => ReadAsync<IReadOnlyList<(Guid, byte[])>>(connection =>
    {
        using var command = Command(connection,
            "SELECT id, sealed FROM messages WHERE peer = $p AND outgoing = 1 AND room_seq IS NULL AND sealed IS NOT NULL ORDER BY seq;", ("$p", peer));
        using var reader = command.ExecuteReader();
        var list = new List<(Guid, byte[])>();
        while (reader.Read())
        {
            list.Add((Guid.ParseExact(reader.GetString(0), "N"), (byte[])reader[1]));
        }
        return list;
    });

    /// <summary>Where the hub put our message sealed with <paramref name="keyId"/> at <paramref name="counter"/>, or null.</summary>
    public Task<long?> OwnRoomSeqAsync(string peer, uint keyId, ulong counter) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT room_seq FROM messages WHERE peer = $p AND key_id = $k AND key_counter = $c AND outgoing = 1;",
            ("$p", peer), ("$k", (long)keyId), ("$c", (long)counter));
        return command.ExecuteScalar() is long seq ? seq : (long?)null;
    });

    /// <summary>
    /// The keys of our own messages the hub placed after <paramref name="seq"/>, each with the first
    /// counter used there: what a member who joined at that place may need from us (a message we sealed
    /// before we heard of its join can still be placed after it).
    /// </summary>
    public Task<IReadOnlyList<(uint KeyId, ulong Counter)>> OwnKeysPlacedAfterAsync(string peer, long seq) => ReadAsync<IReadOnlyList<(uint, ulong)>>(connection =>
    {
        using var command = Command(connection, """
            SELECT key_id, MIN(key_counter) FROM messages
            WHERE peer = $p AND outgoing = 1 AND room_seq > $s AND key_id IS NOT NULL GROUP BY key_id;
            """, ("$p", peer), ("$s", seq));
        using var reader = command.ExecuteReader();
        var keys = new List<(uint, ulong)>();
        while (reader.Read())
        {
            keys.Add(((uint)reader.GetInt64(0), (ulong)reader.GetInt64(1)));
        }
        return keys;
    });

    /// <summary>
    /// Stores entries of a room's log in order, in one commit: messages opened, messages waiting for
    /// their key (with their sealed bytes), notices. Each comes back as stored, or null when it was
    /// stored already (read again after a reconnect, or replayed).
    /// </summary>
    public Task<IReadOnlyList<MessageRecord?>> InsertRoomRowsAsync(string peer, IReadOnlyList<RoomRow> rows) => WriteAsync<IReadOnlyList<MessageRecord?>>(connection =>
    {
        var stored = new List<MessageRecord?>(rows.Count);
        foreach (var row in rows)
        {
            var inserted = Prepared(connection, """
                INSERT OR IGNORE INTO messages (id, peer, outgoing, text, sent_at, state, sender, room_seq, sealed)
                VALUES ($id, $peer, 0, $text, $sent, $state, $sender, $s, $b);
                """,
                ("$id", row.Id.ToString("N")), ("$peer", peer), ("$text", row.Text), ("$sent", row.SentAt.ToUnixTimeMilliseconds()),
                ("$state", row.State.ToString()), ("$sender", row.Sender), ("$s", row.RoomSeq), ("$b", row.Sealed)).ExecuteNonQuery() == 1;
            stored.Add(inserted
                ? new MessageRecord(row.Id, peer, false, row.Text, row.SentAt, row.State, (long)Prepared(connection, "SELECT last_insert_rowid();").ExecuteScalar()!)
                {
                    Sender = row.Sender,
                    RoomSeq = row.RoomSeq,
                }
                : null);
        }
        return stored;
    });

    public Task<IReadOnlyList<WaitingRoomMessage>> WaitingAsync(string peer) => ReadAsync<IReadOnlyList<WaitingRoomMessage>>(connection =>
    {
        using var command = Command(connection,
            "SELECT id, sender, room_seq, sealed, sent_at FROM messages WHERE peer = $p AND state = 'WaitingForKey' ORDER BY seq;", ("$p", peer));
        using var reader = command.ExecuteReader();
        var list = new List<WaitingRoomMessage>();
        while (reader.Read())
        {
            list.Add(new WaitingRoomMessage(Guid.ParseExact(reader.GetString(0), "N"), reader.GetString(1), reader.GetInt64(2), (byte[])reader[3],
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }
        return list;
    });

    /// <summary>
    /// Waiting messages opened: each takes its real ID, time and text in place (keeping its place in the
    /// timeline), in one commit; if the real ID is already stored (the same message came twice) the
    /// placeholder goes. Returns the messages as now stored.
    /// </summary>
    public Task<IReadOnlyList<MessageRecord>> OpenWaitingAsync(IReadOnlyList<(Guid Placeholder, Guid Id, string Text, DateTimeOffset SentAt)> opened) =>
        WriteAsync<IReadOnlyList<MessageRecord>>(connection =>
        {
            var records = new List<MessageRecord>(opened.Count);
            foreach (var (placeholder, id, text, sentAt) in opened)
            {
                try
                {
                    Prepared(connection, "UPDATE messages SET id = $id, text = $text, sent_at = $sent, state = 'Received', sealed = NULL WHERE id = $old;",
                        ("$old", placeholder.ToString("N")), ("$id", id.ToString("N")), ("$text", text), ("$sent", sentAt.ToUnixTimeMilliseconds())).ExecuteNonQuery();
                }
                catch (SqliteException e) when (e.SqliteErrorCode == 19) // the real ID is stored already
                {
                    Prepared(connection, "DELETE FROM messages WHERE id = $old;", ("$old", placeholder.ToString("N"))).ExecuteNonQuery();
                    continue;
                }
                using var read = Command(connection, $"SELECT {MessageColumns} FROM messages WHERE id = $id;", ("$id", id.ToString("N")));
                using var reader = read.ExecuteReader();
                if (reader.Read())
                {
                    records.Add(ReadMessage(reader));
                }
            }
            return records;
        });

    /// <summary>Our messages in a room the hub placed after <paramref name="after"/>, for their delivery counts.</summary>
    public Task<IReadOnlyList<MessageRecord>> OwnRoomMessagesAfterAsync(string peer, long after, int limit) => QueryMessagesAsync(
        $"SELECT {MessageColumns} FROM messages WHERE peer = $peer AND outgoing = 1 AND room_seq > $after ORDER BY room_seq LIMIT $limit;",
        ("$peer", peer), ("$after", after), ("$limit", limit));

    public Task<MessageRecord?> MessageAsync(Guid id) => ReadAsync(connection =>
    {
        using var command = Command(connection, $"SELECT {MessageColumns} FROM messages WHERE id = $id;", ("$id", id.ToString("N")));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadMessage(reader) : null;
    });

    /// <summary>Removes one message (a room post the hub refused).</summary>
    public Task DeleteMessageAsync(Guid id) => WriteAsync(connection =>
        Prepared(connection, "DELETE FROM messages WHERE id = $id;", ("$id", id.ToString("N"))).ExecuteNonQuery());
}
