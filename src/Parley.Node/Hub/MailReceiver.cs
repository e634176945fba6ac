using System.Diagnostics.CodeAnalysis;
using Parley.Core.Attachments;
using Parley.Core.Chat;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Attachments;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Storage;

namespace Parley.Node.Hub;

/// <summary>
/// The mailbox, receiving side: sealed messages the hub held for us are opened, checked, handed to
/// chat when they come from a contact, and acknowledged so the hub deletes them.
/// </summary>
internal sealed class MailReceiver(NodeIdentity identity, AgreementKey agreement, ContactBook contacts, ChatService chat, AttachmentReceiver attachments,
    NodeOptions options) : IHubClientFeature
{
    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<MailboxItem>(FrameType.MailboxItem)];

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        var mail = frame.Read<MailboxItem>();
        // Not awaited: storing must not hold up the hub link's receive loop.
        _ = AcknowledgeAsync(hub, mail.ItemId, mail.Item);
        return ValueTask.CompletedTask;
    }

    private async Task AcknowledgeAsync(IPeerLink hub, long itemId, byte[] item)
    {
        if (await ReceiveAsync(item).ConfigureAwait(false))
        {
            hub.TrySend(FrameType.MailboxAck, new MailboxAck(itemId).ToArray());
        }
    }

    /// <summary>Opens a held message and stores it when it is from a contact. True when the hub may delete it.</summary>
    public async Task<bool> ReceiveAsync(byte[] item)
    {
        // A message or an action (reply, edit, reaction): the purpose sealed into the key says which.
        ChatAction? action = null;
        AttachmentRef? attachment = null;
        if (!TryOpen(item, SealPurpose.Mail, out var sender, out ChatMessage? message)
            && !TryOpen(item, SealPurpose.MailAction, out sender, out action)
            && !TryOpen(item, SealPurpose.MailAttachment, out sender, out attachment))
        {
            return true; // undecipherable or forged: nothing to keep, and keeping it would only fill our quota
        }
        if (contacts.Find(sender)?.State != PeerState.Contact)
        {
            // Strangers reach us only as requests; a mailbox is no way around consent.
            if (contacts.Find(sender) is null)
            {
                await contacts.UpdateRequestAsync(sender, r => r, options.MaxRequests).ConfigureAwait(false);
            }
            return true;
        }
        if (action is not null)
        {
            await chat.ApplyIncomingAsync(sender, action).ConfigureAwait(false);
        }
        else if (attachment is not null)
        {
            await attachments.ReceiveAsync(sender, attachment).ConfigureAwait(false);
        }
        else
        {
            await chat.StoreIncomingAsync(sender, message!).ConfigureAwait(false);
        }
        return true;
    }

    private bool TryOpen<T>(byte[] item, SealPurpose purpose, out DeviceId sender, [NotNullWhen(true)] out T? message) where T : class, IWireMessage<T>
    {
        message = null;
        if (!MailboxSeal.TryOpen(item, agreement, identity.DeviceId, purpose, out sender, out var plaintext, out _)
            || !WireMessage.TryRead<T>(plaintext, out var read, out _))
        {
            return false;
        }
        message = read;
        return true;
    }
}
