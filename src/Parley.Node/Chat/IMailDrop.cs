using Parley.Core.Chat;
using Parley.Core.Identity;

namespace Parley.Node.Chat;

/// <summary>
/// Somewhere to leave a message for a contact who cannot be reached now: the hub's mailbox. Chat
/// defines what it needs and the hub implements it, so chat does not depend on the hub client.
/// </summary>
public interface IMailDrop
{
    /// <summary>True when <paramref name="peer"/> cannot be reached now but the drop can: leaving mail is the way.</summary>
    bool ShouldMail(DeviceId peer);

    /// <summary>Leaves <paramref name="message"/> sealed for <paramref name="peer"/>; null when left, else why not (for the sender to read).</summary>
    Task<string?> LeaveAsync(DeviceId peer, ChatMessage message);

    /// <summary>Leaves a reply, edit, delete or reaction the same way; null when left, else why not.</summary>
    Task<string?> LeaveAsync(DeviceId peer, ChatAction action);
}
