using Microsoft.Data.Sqlite;

namespace Parley.Node.Storage;

public sealed partial class NodeStore : Chat.IChatStore
{
    private const string MessageColumns = "id, peer, outgoing, text, sent_at, state, seq, sender, room_seq, reply_to, edited_at, deleted";

    /// <summary>Stores a message; false if one with the same ID is already stored (a resend).</summary>
    public Task<bool> InsertMessageAsync(Guid id, string peer, bool outgoing, string text, DateTimeOffset sentAt, MessageState state, string? sender = null, Guid? replyTo = null) =>
        WriteAsync(connection =>
        {
            var command = Prepared(connection,
                "INSERT OR IGNORE INTO messages (id, peer, outgoing, text, sent_at, state, sender, reply_to) VALUES ($id, $peer, $out, $text, $sent, $state, $sender, $reply);",
                ("$id", id.ToString("N")), ("$peer", peer), ("$out", outgoing ? 1 : 0), ("$text", text),
                ("$sent", sentAt.ToUnixTimeMilliseconds()), ("$state", state.ToString()), ("$sender", sender), ("$reply", replyTo?.ToString("N")));
            return command.ExecuteNonQuery() == 1;
        });

    /// <summary>
    /// Moves an outgoing message to <paramref name="state"/>; never back from Delivered (an ack can
    /// overtake the "sent" write). False if no such message of that peer.
    /// </summary>
    public Task<bool> SetOutgoingStateAsync(Guid id, string peer, MessageState state) => WriteAsync(connection =>
    {
        var command = Prepared(connection,
            "UPDATE messages SET state = $state WHERE id = $id AND peer = $peer AND outgoing = 1 AND state <> 'Delivered';",
            ("$id", id.ToString("N")), ("$peer", peer), ("$state", state.ToString()));
        return command.ExecuteNonQuery() == 1;
    });

    /// <summary>Outgoing messages not yet acknowledged, oldest first: what to (re)send when the peer is back.</summary>
    public Task<IReadOnlyList<MessageRecord>> PendingOutgoingAsync(string peer) => QueryMessagesAsync(
        $"SELECT {MessageColumns} FROM messages WHERE peer = $peer AND state IN ('Queued', 'Sent', 'Mailed') ORDER BY seq;",
        ("$peer", peer));

    /// <summary>The last <paramref name="limit"/> messages with a peer before sequence <paramref name="before"/>, oldest first.</summary>
    public Task<IReadOnlyList<MessageRecord>> HistoryAsync(string peer, int limit, long before = long.MaxValue) => QueryMessagesAsync(
        $"SELECT * FROM (SELECT {MessageColumns} FROM messages WHERE peer = $peer AND seq < $before ORDER BY seq DESC LIMIT $limit) ORDER BY seq;",
        ("$peer", peer), ("$before", before), ("$limit", limit));

    private Task<IReadOnlyList<MessageRecord>> QueryMessagesAsync(string sql, params (string, object?)[] parameters) =>
        ReadAsync<IReadOnlyList<MessageRecord>>(connection =>
        {
            using var command = Command(connection, sql, parameters);
            using var reader = command.ExecuteReader();
            var messages = new List<MessageRecord>();
            while (reader.Read())
            {
                messages.Add(ReadMessage(reader));
            }
            return messages;
        });

    private static MessageRecord ReadMessage(SqliteDataReader reader) => new(
        Guid.ParseExact(reader.GetString(0), "N"),
        reader.GetString(1),
        reader.GetInt64(2) == 1,
        reader.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        Enum.Parse<MessageState>(reader.GetString(5)),
        reader.GetInt64(6))
    {
        Sender = reader.IsDBNull(7) ? null : reader.GetString(7),
        RoomSeq = reader.IsDBNull(8) ? null : reader.GetInt64(8),
        ReplyTo = reader.IsDBNull(9) ? null : Guid.ParseExact(reader.GetString(9), "N"),
        EditedAt = reader.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)),
        Deleted = reader.GetInt64(11) == 1,
    };
}
