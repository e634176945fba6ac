using System.Text.Json.Serialization;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>Event types of conversations (1:1 and rooms).</summary>
[EventNames]
public static class ChatEvents
{
    /// <summary>A message was sent or received, in a 1:1 conversation or a room.</summary>
    public const string Message = "message";

    /// <summary>The peer acknowledged storing one of our messages.</summary>
    public const string Delivered = "delivered";

    /// <summary>A 1:1 message was edited, deleted for everyone, or its reactions changed: the whole message as it is now (same ID: replace it).</summary>
    public const string Changed = "message.changed";
}

/// <summary>
/// A message as the API and the event stream show it. 1:1 messages name the peer; room messages
/// also carry the room and the sender (and <see cref="Peer"/> is the room). Absent fields are left
/// out, not written as null.
/// </summary>
public sealed record MessageView(
    Guid Id,
    string Peer,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Room,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sender,
    string PeerName, bool Outgoing, string Text, DateTimeOffset SentAt, MessageState State,
    [property: JsonPropertyName("seq")] long Sequence,
    // Why a message for an offline contact could not be left at the hub (it stays queued).
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Warning = null)
{
    /// <summary>In a room: the message's place in the hub's log of the room.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? RoomSeq { get; init; }

    /// <summary>Our room message: how many of the members who were in the room when it was sent have stored it ("delivered to 2 of 3").</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Delivered { get; init; }

    /// <summary>Our room message: how many members (not counting us) were in the room when it was sent and still are.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Recipients { get; init; }

    /// <summary>A room message we cannot open yet (state WaitingForKey): the name of the member whose key it waits for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WaitingFor { get; init; }

    /// <summary>A reply: the message it quotes (its ID even when that message is not here).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? ReplyTo { get; init; }

    /// <summary>A reply: the start of the quoted message, when this side has it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuoteView? Quote { get; init; }

    /// <summary>When its sender last edited it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? EditedAt { get; init; }

    /// <summary>True when its sender deleted it for everyone (the text is empty); absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Deleted { get; init; }

    /// <summary>Reactions on it, by emoji, in the order first given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ReactionView>? Reactions { get; init; }

    /// <summary>A message that carries a file, image or voice message (its text is the caption).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Attachments.AttachmentView? Attachment { get; init; }

    /// <summary>A 1:1 message, named by our alias for the peer or its own name.</summary>
    public static MessageView Direct(MessageRecord m, ContactBook contacts)
    {
        var id = DeviceId.Parse(m.Peer);
        return new(m.Id, id.ToString(), null, null, contacts.Find(id)?.DisplayName ?? id.Short, m.Outgoing, m.Text, m.SentAt, m.State, m.Sequence, m.Warning)
        {
            ReplyTo = m.ReplyTo,
            EditedAt = m.EditedAt,
            Deleted = m.Deleted ? true : null,
        };
    }
}

public sealed record DeliveredEvent(Guid Id, string Peer);

/// <summary>A conversation in the list: its newest message and how many arrived since the user last looked.</summary>
public sealed record ConversationView(string Peer, string LastText, DateTimeOffset LastAt, bool LastOutgoing, int Unread);

public sealed record ChatRequest(string? Text, Guid? ReplyTo = null);

/// <summary>The quoted message of a reply, as far as the reply shows it.</summary>
public sealed record QuoteView(Guid Id, string Text, bool Outgoing, bool Deleted);

/// <summary>One emoji on a message: how many gave it, and whether we did.</summary>
public sealed record ReactionView(string Emoji, int Count, bool Mine);

public sealed record EditRequest(string? Text);

public sealed record ReactRequest(string? Emoji);

/// <summary>A message found by search: where it is (peer or "#room", and its seq to scroll to) and the words around the match.</summary>
public sealed record SearchHit(Guid Id, string Peer, string PeerName, bool Outgoing, DateTimeOffset SentAt,
    [property: JsonPropertyName("seq")] long Sequence, string Snippet);
