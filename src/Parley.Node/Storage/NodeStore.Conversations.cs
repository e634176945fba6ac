namespace Parley.Node.Storage;

/// <summary>A conversation (peer or "#room") as the UI lists it: its newest message and how many the user has not read.</summary>
public sealed record ConversationRecord(string Peer, string LastText, DateTimeOffset LastAt, bool LastOutgoing, long LastSequence, int Unread);

public sealed partial class NodeStore
{
    /// <summary>Conversations with at least one message, newest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<ConversationRecord>> ConversationsAsync(int limit) => ReadAsync<IReadOnlyList<ConversationRecord>>(connection =>
    {
        using var command = Command(connection,
            """
            SELECT m.peer, m.text, m.sent_at, m.outgoing, m.seq,
                (SELECT COUNT(*) FROM messages u
                 WHERE u.peer = m.peer AND u.outgoing = 0 AND u.state NOT IN ('Notice', 'Call')
                   AND u.seq > COALESCE((SELECT r.seq FROM read_marks r WHERE r.peer = m.peer), 0))
            FROM messages m
            WHERE m.seq IN (SELECT MAX(seq) FROM messages GROUP BY peer)
            ORDER BY m.seq DESC LIMIT $limit;
            """,
            ("$limit", limit));
        using var reader = command.ExecuteReader();
        var found = new List<ConversationRecord>();
        while (reader.Read())
        {
            found.Add(new ConversationRecord(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.GetInt64(3) == 1, reader.GetInt64(4), reader.GetInt32(5)));
        }
        return found;
    });

    /// <summary>Marks a conversation read up to its newest message (never backwards).</summary>
    public Task MarkReadAsync(string peer) => WriteAsync(connection =>
    {
        using var command = Command(connection,
            """
            INSERT INTO read_marks (peer, seq) SELECT $peer, COALESCE(MAX(seq), 0) FROM messages WHERE peer = $peer
            ON CONFLICT (peer) DO UPDATE SET seq = MAX(read_marks.seq, excluded.seq);
            """,
            ("$peer", peer));
        return command.ExecuteNonQuery();
    });
}
