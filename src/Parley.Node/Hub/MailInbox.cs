using Parley.Core.Chat;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Storage;

namespace Parley.Node.Hub;

/// <summary>Sealed messages the hub held for us: opened, checked, and stored by chat when they come from a contact.</summary>
public sealed class MailInbox(NodeIdentity identity, AgreementKey agreement, ContactBook contacts, ChatService chat)
{
    /// <summary>Opens a held message; stores it when it is from a contact. True when the hub may delete it.</summary>
    public async Task<bool> ReceiveAsync(byte[] item)
    {
        if (!MailboxSeal.TryOpen(item, agreement, identity.DeviceId, out var sender, out var plaintext, out _))
        {
            return true; // undecipherable or forged: nothing to keep, and keeping it would only fill our quota
        }
        if (!WireMessage.TryRead<ChatMessage>(plaintext, out var message, out _))
        {
            return true;
        }
        if (contacts.Find(sender)?.State != PeerState.Contact)
        {
            // Strangers reach us only as requests; a mailbox is no way around consent.
            if (contacts.Find(sender) is null)
            {
                await contacts.UpdateAsync(sender, r => r).ConfigureAwait(false);
            }
            return true;
        }
        await chat.StoreIncomingAsync(sender, message).ConfigureAwait(false);
        return true;
    }
}
