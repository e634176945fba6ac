using Parley.Node.Links;

namespace Parley.Node.Chat;

/// <summary>
/// Outgoing 1:1 messages that carry an attachment: resent whole (reference and ciphertext) when the
/// contact is back, not as a plain chat message, and never left at the mailbox as one.
/// </summary>
public interface IPendingAttachments
{
    /// <summary>True when the message is an attachment of ours (whoever sends it again).</summary>
    bool IsAttachment(Guid messageId);

    /// <summary>Sends the attachment again over the session (in the background); false when it is not one.</summary>
    bool TryResend(PeerSession session, Guid messageId);
}
