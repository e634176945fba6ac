using Parley.Core.Chat;
using Parley.Core.Identity;

namespace Parley.Node.Chat;

/// <summary>
/// Where chat leaves a message for a contact it cannot reach now: the hub's offline mailbox.
/// Chat depends on this, the mailbox never on chat, so the two form no cycle.
/// </summary>
public interface IMailDrop
{
    /// <summary>True when the contact is not reachable now but a hub is: the mailbox is the way.</summary>
    bool ShouldMail(DeviceId peer);

    /// <summary>Seals and leaves the message; null when stored, else why not.</summary>
    Task<string?> SendAsync(DeviceId peer, ChatMessage message);
}
