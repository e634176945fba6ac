using System.Text.Json.Serialization;
using Parley.Node.Chat;
using Parley.Node.Events;

namespace Parley.Node.Attachments;

/// <summary>What an attachment is, which decides how a conversation shows it (in JSON, like every enum of the API: "file", "image", "voice").</summary>
public enum AttachmentKind
{
    File,
    Image,
    Voice,
}

/// <summary>Where an attachment's bytes are, as <see cref="AttachmentView.State"/> names it.</summary>
public static class AttachmentStates
{
    /// <summary>The ciphertext is in this node's attachment store: content and save answer at once.</summary>
    public const string Ready = "ready";

    /// <summary>The ciphertext is at the hub (or with the sender); content or save fetches it first.</summary>
    public const string Remote = "remote";

    /// <summary>A fetch is under way.</summary>
    public const string Fetching = "fetching";

    /// <summary>The bytes cannot be had (gone from the hub, refused by its checksum).</summary>
    public const string Missing = "missing";
}

/// <summary>
/// An attachment as the API and the event stream show it, inside its <see cref="MessageView"/>.
/// A voice message's <paramref name="Waveform"/> (0..255, at most 128 values) and <paramref name="DurationMs"/>
/// come from the sender; a reference whose values are malformed is shown as kind File without them.
/// </summary>
public sealed record AttachmentView(
    Guid Id,
    AttachmentKind Kind,
    string Name,
    string Mime,
    long Size,
    string Sha256,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DurationMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? Waveform,
    bool HasPreview,
    string State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SavedPath);

/// <summary>
/// An attachment to send. <paramref name="ContentPath"/> is a temporary file the caller owns (the service
/// reads it during <see cref="IAttachmentSender.SendAsync"/> and does not delete it); <paramref name="Preview"/>
/// is a JPEG of at most 32 KiB made by the sender (the node never decodes it).
/// </summary>
public sealed record AttachmentDraft(
    AttachmentKind Kind,
    string Name,
    string Mime,
    string ContentPath,
    byte[]? Preview,
    IReadOnlyList<int>? Waveform,
    int? DurationMs,
    string? Caption);

/// <summary>Sends attachments into a conversation: a peer (as /api/chat names it) or a room ("#name").</summary>
public interface IAttachmentSender
{
    /// <summary>Encrypts and sends the draft; returns the message as the conversation shows it.</summary>
    Task<MessageView> SendAsync(string conversation, AttachmentDraft draft, CancellationToken ct);
}

/// <summary>Body of <c>POST /api/attachments/{messageId}/save</c>: null saves to the downloads folder under a safe name.</summary>
public sealed record SaveAttachmentRequest(string? Path);

/// <summary>Answer of a save: where the file was written.</summary>
public sealed record SavedAttachment(string Path);

/// <summary>Event types of attachments.</summary>
[EventNames]
public static class AttachmentEvents
{
    /// <summary>An attachment's bytes arrived or could not be had: <see cref="AttachmentStateEvent"/>.</summary>
    public const string State = "attachment.state";
}

/// <summary>Payload of <see cref="AttachmentEvents.State"/>: the message (by ID, in its conversation) and its attachment now.</summary>
public sealed record AttachmentStateEvent(Guid MessageId, string Peer, AttachmentView Attachment, string? Error = null);
