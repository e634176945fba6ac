using Microsoft.Extensions.Logging;
using Parley.Core.Chat;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>A chat request that cannot be carried out; the message says why.</summary>
public sealed class ChatException(string message) : Exception(message);

/// <summary>
/// 1:1 messages: stored first (queued), sent when the peer's session is open, acknowledged by the
/// receiver once it has stored them (delivered). Unacknowledged messages are resent when the peer
/// comes back; the receiver ignores a message ID it already has, so resending is safe.
/// Receiving is in <c>ChatService.Receive.cs</c>.
/// </summary>
public sealed partial class ChatService(
    IChatStore store, ContactBook contacts, IPeerSessions sessions, IMailDrop mailDrop, EventHub events, TimeProvider time, ILoggerFactory loggerFactory,
    IPendingAttachments? attachments = null)
    : IPeerFeature
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Chat");

    public IReadOnlyList<FrameSpec> Frames => ChatFrames.Specs;

    /// <summary>Raised after an outgoing message is acknowledged; benchmarks time round trips with it.</summary>
    public event Action<Guid>? Delivered;

    /// <summary>Sends a message, or with <paramref name="replyTo"/> a reply quoting a message of this conversation.</summary>
    public async Task<MessageView> SendAsync(DeviceId peer, string text, Guid? replyTo = null)
    {
        CheckText(text);
        if (!contacts.IsContact(peer))
        {
            throw new ChatException($"{peer.Short} is not a contact; add or accept it first");
        }
        if (replyTo is { } quoted && await store.FindMessageAsync(quoted, peer.Compact).ConfigureAwait(false) is null)
        {
            throw new ChatException("the message replied to is not in this conversation");
        }
        var record = new MessageRecord(Guid.CreateVersion7(), peer.Compact, Outgoing: true, text, time.GetUtcNow(), MessageState.Queued, Sequence: 0) { ReplyTo = replyTo };
        // Stored before it goes out, in one write: "sent" if the peer is there now, else "queued".
        // Either way it is resent on reconnect until acknowledged, so a failed send loses nothing.
        var session = sessions.Session(peer) is { IsOpen: true } open ? open : null;
        var state = session is null ? MessageState.Queued : MessageState.Sent;
        await store.InsertMessageAsync(record.Id, peer.Compact, outgoing: true, text, record.SentAt, state, replyTo: replyTo).ConfigureAwait(false);
        if (session is null && sessions.Session(peer) is { IsOpen: true } opened)
        {
            // The peer's session opened while this was being stored: its scan for waiting messages may have run
            // before the row was there, and would leave it waiting for the next link. Sent now (the peer ignores
            // an ID it has, should the scan have seen it too).
            session = opened;
            state = MessageState.Sent;
            await store.SetOutgoingStateAsync(record.Id, peer.Compact, MessageState.Sent).ConfigureAwait(false);
        }
        if (session is not null)
        {
            var (type, payload) = Wire(record);
            session.Link.TrySend(type, payload);
        }
        string? warning = null;
        if (session is null && mailDrop.ShouldMail(peer))
        {
            warning = await MailAsync(peer, record).ConfigureAwait(false);
            if (warning is null)
            {
                state = MessageState.Mailed;
                await store.SetOutgoingStateAsync(record.Id, peer.Compact, MessageState.Mailed).ConfigureAwait(false);
            }
        }
        record = record with { State = state, Warning = warning };
        var view = (await ViewsAsync(peer, [record]).ConfigureAwait(false))[0];
        events.Publish(ChatEvents.Message, () => view);
        return view;
    }

    /// <summary>A stored outgoing message as it goes on the wire: a ChatMessage, or a reply's ChatAction.</summary>
    private static (FrameType Type, byte[] Payload) Wire(MessageRecord m) => m.ReplyTo is { } quoted
        ? (FrameType.ChatAction, new ChatAction(m.Id, m.SentAt, ChatActionKind.Reply, quoted, m.Text).ToArray())
        : (FrameType.ChatMessage, new ChatMessage(m.Id, m.SentAt, m.Text).ToArray());

    private Task<string?> MailAsync(DeviceId peer, MessageRecord m) => m.ReplyTo is { } quoted
        ? mailDrop.LeaveAsync(peer, new ChatAction(m.Id, m.SentAt, ChatActionKind.Reply, quoted, m.Text))
        : mailDrop.LeaveAsync(peer, new ChatMessage(m.Id, m.SentAt, m.Text));

    /// <summary>The rule for any message text, 1:1 or room: not empty, at most 64 KiB of UTF-8. Checked before anything is stored.</summary>
    public static void CheckText(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new ChatException("message is empty");
        }
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        if (bytes > ChatMessage.MaxTextBytes)
        {
            throw new ChatException($"message is {bytes} bytes; the limit is {ChatMessage.MaxTextBytes} (64 KiB). Nothing was sent.");
        }
    }

    public Task<IReadOnlyList<MessageRecord>> HistoryAsync(DeviceId peer, int limit, long before = long.MaxValue) =>
        store.HistoryAsync(peer.Compact, Math.Clamp(limit, 1, 10_000), before);

    /// <summary>Sends, oldest first, every message that waited for this peer.</summary>
    public async Task OnSessionOpenedAsync(PeerSession session)
    {
        var pending = await store.PendingOutgoingAsync(session.Id.Compact).ConfigureAwait(false);
        foreach (var message in pending)
        {
            if (attachments?.TryResend(session, message.Id) == true)
            {
                continue; // an attachment goes again whole: reference and bytes
            }
            var (type, payload) = Wire(message);
            if (!session.Link.TrySend(type, payload))
            {
                return;
            }
            if (message.State == MessageState.Queued)
            {
                _ = store.SetOutgoingStateAsync(message.Id, message.Peer, MessageState.Sent);
            }
        }
        if (pending.Count > 0)
        {
            ChatLog.SentPending(_logger, pending.Count, session.Id.Short);
        }
        await SendPendingActionsAsync(session).ConfigureAwait(false);
    }
}
