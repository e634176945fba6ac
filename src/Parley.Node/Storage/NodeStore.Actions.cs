using System.Text.Json;
using Parley.Core.Chat;

namespace Parley.Node.Storage;

/// <summary>A reaction as stored: <see cref="Reactor"/> is a compact device ID, or "" for us.</summary>
public sealed record ReactionRecord(Guid MessageId, string Reactor, string Emoji);

/// <summary>One of our edits, deletes or reactions, kept until the peer acknowledges it.</summary>
public sealed record ActionRecord(ChatAction Action, string Peer, MessageState State);

/// <summary>Replies, edits, deletes and reactions of 1:1 messages (chat's <c>ChatService.Actions</c>).</summary>
public sealed partial class NodeStore
{
    /// <summary>A message of one conversation by its ID, or null.</summary>
    public Task<MessageRecord?> FindMessageAsync(Guid id, string peer) => ReadAsync(connection =>
    {
        using var command = Command(connection, $"SELECT {MessageColumns} FROM messages WHERE id = $id AND peer = $peer;",
            ("$id", id.ToString("N")), ("$peer", peer));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadMessage(reader) : null;
    });

    /// <summary>The messages of one conversation among <paramref name="ids"/> (the quoted ones of a page).</summary>
    public Task<IReadOnlyList<MessageRecord>> MessagesByIdAsync(string peer, IReadOnlyCollection<Guid> ids) => QueryMessagesAsync(
        $"SELECT {MessageColumns} FROM messages WHERE peer = $peer AND id IN (SELECT value FROM json_each($ids));",
        ("$peer", peer), ("$ids", IdList(ids)));

    /// <summary>
    /// Replaces a message's text as its sender's edit of <paramref name="at"/>. False when there is no
    /// such message from that side, it is deleted, or a later edit is already in (edits can cross).
    /// </summary>
    public Task<bool> EditMessageAsync(Guid id, string peer, bool outgoing, string text, DateTimeOffset at) => WriteAsync(connection =>
    {
        using var command = Command(connection,
            """
            UPDATE messages SET text = $text, edited_at = $at
            WHERE id = $id AND peer = $peer AND outgoing = $out AND deleted = 0 AND (edited_at IS NULL OR edited_at < $at)
              AND state IN ('Queued', 'Sent', 'Delivered', 'Received', 'Mailed');
            """,
            ("$id", id.ToString("N")), ("$peer", peer), ("$out", outgoing ? 1 : 0), ("$text", text), ("$at", at.ToUnixTimeMilliseconds()));
        return command.ExecuteNonQuery() == 1;
    });

    /// <summary>Deletes a message for everyone: its text (and so its search entry) and reactions go, its place stays.</summary>
    public Task<bool> DeleteMessageAsync(Guid id, string peer, bool outgoing) => WriteAsync(connection =>
    {
        using var command = Command(connection,
            "UPDATE messages SET text = '', deleted = 1 WHERE id = $id AND peer = $peer AND outgoing = $out AND deleted = 0 AND state IN ('Queued', 'Sent', 'Delivered', 'Received', 'Mailed');",
            ("$id", id.ToString("N")), ("$peer", peer), ("$out", outgoing ? 1 : 0));
        if (command.ExecuteNonQuery() != 1)
        {
            return false;
        }
        using var reactions = Command(connection, "DELETE FROM reactions WHERE message_id = $id;", ("$id", id.ToString("N")));
        reactions.ExecuteNonQuery();
        return true;
    });

    /// <summary>Sets one reactor's emoji on or off, unless a later change of it is already in. True when it changed.</summary>
    public Task<bool> SetReactionAsync(Guid messageId, string reactor, string emoji, bool active, DateTimeOffset at) => WriteAsync(connection =>
    {
        using var command = Command(connection,
            """
            INSERT INTO reactions (message_id, reactor, emoji, at, active) VALUES ($id, $who, $emoji, $at, $on)
            ON CONFLICT (message_id, reactor, emoji) DO UPDATE SET at = excluded.at, active = excluded.active WHERE excluded.at > reactions.at;
            """,
            ("$id", messageId.ToString("N")), ("$who", reactor), ("$emoji", emoji), ("$at", at.ToUnixTimeMilliseconds()), ("$on", active ? 1 : 0));
        return command.ExecuteNonQuery() == 1;
    });

    /// <summary>The reactions that are on, for the messages in <paramref name="ids"/>.</summary>
    public Task<IReadOnlyList<ReactionRecord>> ReactionsAsync(IReadOnlyCollection<Guid> ids) => ReadAsync<IReadOnlyList<ReactionRecord>>(connection =>
    {
        using var command = Command(connection,
            "SELECT message_id, reactor, emoji FROM reactions WHERE active = 1 AND message_id IN (SELECT value FROM json_each($ids)) ORDER BY at;",
            ("$ids", IdList(ids)));
        using var reader = command.ExecuteReader();
        var found = new List<ReactionRecord>();
        while (reader.Read())
        {
            found.Add(new ReactionRecord(Guid.ParseExact(reader.GetString(0), "N"), reader.GetString(1), reader.GetString(2)));
        }
        return found;
    });

    public Task InsertActionAsync(ChatAction action, string peer, MessageState state) => WriteAsync(connection =>
    {
        using var command = Command(connection,
            "INSERT OR IGNORE INTO chat_actions (id, peer, kind, target, text, sent_at, state) VALUES ($id, $peer, $kind, $target, $text, $at, $state);",
            ("$id", action.Id.ToString("N")), ("$peer", peer), ("$kind", (int)action.Kind), ("$target", action.Target.ToString("N")),
            ("$text", action.Text), ("$at", action.SentAt.ToUnixTimeMilliseconds()), ("$state", state.ToString()));
        return command.ExecuteNonQuery();
    });

    /// <summary>Moves one of our actions on (sent, mailed, delivered), never back from delivered. False when it is not ours or already there.</summary>
    public Task<bool> SetActionStateAsync(Guid id, string peer, MessageState state) => WriteAsync(connection =>
    {
        using var command = Command(connection,
            "UPDATE chat_actions SET state = $state WHERE id = $id AND peer = $peer AND state <> 'Delivered';",
            ("$id", id.ToString("N")), ("$peer", peer), ("$state", state.ToString()));
        return command.ExecuteNonQuery() == 1;
    });

    /// <summary>Our actions the peer has not acknowledged, oldest first.</summary>
    public Task<IReadOnlyList<ActionRecord>> PendingActionsAsync(string peer) => ReadAsync<IReadOnlyList<ActionRecord>>(connection =>
    {
        using var command = Command(connection,
            "SELECT id, kind, target, text, sent_at, state FROM chat_actions WHERE peer = $peer AND state <> 'Delivered' ORDER BY sent_at, rowid;",
            ("$peer", peer));
        using var reader = command.ExecuteReader();
        var found = new List<ActionRecord>();
        while (reader.Read())
        {
            var action = new ChatAction(Guid.ParseExact(reader.GetString(0), "N"), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                (ChatActionKind)reader.GetInt32(1), Guid.ParseExact(reader.GetString(2), "N"), reader.GetString(3));
            found.Add(new ActionRecord(action, peer, Enum.Parse<MessageState>(reader.GetString(5))));
        }
        return found;
    });

    private static string IdList(IReadOnlyCollection<Guid> ids) => JsonSerializer.Serialize(ids.Select(id => id.ToString("N")));
}
