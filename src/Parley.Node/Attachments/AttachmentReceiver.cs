using Parley.Core.Attachments;
using Parley.Core.Identity;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Attachments;

/// <summary>
/// A contact's attachment arrived (its reference, from the mailbox): the reference is kept and the
/// message stored with its caption as text; nothing is fetched or written to the user's folders until
/// the user asks for the content or a save.
/// </summary>
internal sealed class AttachmentReceiver(AttachmentBook book, IChatStore store, ContactBook contacts, EventHub events)
{
    public async Task ReceiveAsync(DeviceId sender, AttachmentRef attachment)
    {
        book.Remember(new AttachmentEntry(attachment.Id, sender.Compact, false, attachment));
        var isNew = await store.InsertMessageAsync(attachment.Id, sender.Compact, outgoing: false, attachment.Caption, attachment.SentAt, MessageState.Received).ConfigureAwait(false);
        var record = isNew ? new MessageRecord(attachment.Id, sender.Compact, Outgoing: false, attachment.Caption, attachment.SentAt, MessageState.Received, 0)
            : await store.FindMessageAsync(attachment.Id, sender.Compact).ConfigureAwait(false);
        if (record is not null)
        {
            // Not new: the sender's resend over the link (its caption) came first; the page replaces it with the attachment.
            events.Publish(isNew ? ChatEvents.Message : ChatEvents.Changed, () => book.Decorate(MessageView.Direct(record, contacts)));
        }
    }
}
