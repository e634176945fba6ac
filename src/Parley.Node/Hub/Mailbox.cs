using Parley.Core.Chat;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Storage;

namespace Parley.Node.Hub;

/// <summary>
/// The offline mailbox, node side: a message for a contact who is not reachable is sealed to the
/// agreement key its signed directory entry publishes (never to an entry whose signature fails)
/// and left at the hub; sealed messages the hub held for us are opened, checked and stored.
/// </summary>
public sealed class Mailbox(NodeIdentity identity, HubClient hub) : IMailDrop
{
    /// <summary>True when the contact is not reachable now but a hub is: the mailbox is the way.</summary>
    public bool ShouldMail(DeviceId peer) => hub.Connected && !hub.CanRelayTo(peer);

    /// <summary>Seals and leaves the message at the hub; returns null when stored, else why not.</summary>
    public async Task<string?> SendAsync(DeviceId peer, ChatMessage message)
    {
        WhoisAnswer? entry;
        try
        {
            entry = await hub.VerifiedEntryAsync(peer).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        if (entry is null)
        {
            // Only on failure: ask again to say which failure it is.
            return (await hub.WhoisAsync(peer.Compact).ConfigureAwait(false)).Any(a => a.DeviceId == peer)
                ? $"{peer.Short}'s directory entry at the hub has a bad signature; not using it"
                : $"{peer.Short} has no entry at the hub to encrypt to";
        }
        var sealedItem = MailboxSeal.Seal(identity, peer, entry.AgreementKey, message.ToArray());
        return await hub.PutMailAsync(peer, sealedItem).ConfigureAwait(false);
    }
}
