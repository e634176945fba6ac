using System.Text;
using Microsoft.Extensions.Logging;
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
/// </summary>
public sealed partial class ChatService
{
    private readonly NodeStore _store;
    private readonly ContactBook _contacts;
    private readonly LinkManager _links;
    private readonly EventHub _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IMailDrop _mailDrop;

    public ChatService(NodeStore store, ContactBook contacts, LinkManager links, EventHub events, TimeProvider time, ILoggerFactory loggerFactory, IMailDrop mailDrop)
    {
        _mailDrop = mailDrop;
        _store = store;
        _contacts = contacts;
        _links = links;
        _events = events;
        _time = time;
        _logger = loggerFactory.CreateLogger("Parley.Chat");
    }

    /// <summary>Stores a message that arrived other than over a link (from the hub mailbox); a known ID is ignored.</summary>
    public async Task StoreIncomingAsync(DeviceId peer, ChatMessage message)
    {
        if (await _store.InsertMessageAsync(message.Id, peer.Compact, outgoing: false, message.Text, message.SentAt, MessageState.Received).ConfigureAwait(false))
        {
            _events.Publish("message", () => ToEvent(new MessageRecord(message.Id, peer.Compact, Outgoing: false, message.Text, message.SentAt, MessageState.Received, 0)));
        }
    }

    /// <summary>Raised after an outgoing message is acknowledged; benchmarks time round trips with it.</summary>
    public event Action<Guid>? Delivered;

    public async Task<MessageRecord> SendAsync(DeviceId peer, string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > ProtocolLimits.MaxChatTextBytes)
        {
            throw new ChatException($"message is {bytes} bytes; the limit is {ProtocolLimits.MaxChatTextBytes} (64 KiB). Nothing was sent.");
        }
        if (string.IsNullOrEmpty(text))
        {
            throw new ChatException("message is empty");
        }
        if (!_contacts.IsContact(peer))
        {
            throw new ChatException($"{peer.Short} is not a contact; add or accept it first");
        }
        var message = new ChatMessage(Guid.CreateVersion7(), _time.GetUtcNow(), text);
        // Stored before it goes out, in one write: "sent" if the peer is there now, else "queued".
        // Either way it is resent on reconnect until acknowledged, so a failed send loses nothing.
        var session = _links.Session(peer) is { IsOpen: true } open ? open : null;
        var state = session is null ? MessageState.Queued : MessageState.Sent;
        await _store.InsertMessageAsync(message.Id, peer.Compact, outgoing: true, text, message.SentAt, state).ConfigureAwait(false);
        session?.Link.TrySend(FrameType.ChatMessage, message.Encode());
        string? warning = null;
        if (session is null && _mailDrop.ShouldMail(peer))
        {
            warning = await _mailDrop.LeaveAsync(peer, message).ConfigureAwait(false);
            if (warning is null)
            {
                state = MessageState.Mailed;
                await _store.SetOutgoingStateAsync(message.Id, peer.Compact, MessageState.Mailed).ConfigureAwait(false);
            }
        }
        var record = new MessageRecord(message.Id, peer.Compact, Outgoing: true, text, message.SentAt, state, Sequence: 0) { Warning = warning };
        _events.Publish("message", () => ToEvent(record));
        return record;
    }

    public Task<IReadOnlyList<MessageRecord>> HistoryAsync(DeviceId peer, int limit, long before = long.MaxValue) =>
        _store.HistoryAsync(peer.Compact, Math.Clamp(limit, 1, 10_000), before);

    /// <summary>Chat frames (types 0x10–0x1F) from an open session.</summary>
    public ValueTask OnFrameAsync(PeerSession session, Frame frame) => frame.Type switch
    {
        FrameType.ChatMessage => OnMessage(session, frame),
        FrameType.ChatAck => OnAck(session, frame),
        _ => throw new ProtocolException($"unexpected {frame.Type} frame"),
    };

    private ValueTask OnMessage(PeerSession session, Frame frame)
    {
        if (!ChatMessage.TryDecode(frame.Payload, out var message, out var error))
        {
            throw new ProtocolException(error);
        }
        // Store, then acknowledge; not awaited so the receive loop keeps reading and writes batch up.
        _ = StoreAndAcknowledgeAsync(session, message!);
        return ValueTask.CompletedTask;
    }

    private async Task StoreAndAcknowledgeAsync(PeerSession session, ChatMessage message)
    {
        try
        {
            var peer = session.Id.Compact;
            var isNew = await _store.InsertMessageAsync(message.Id, peer, outgoing: false, message.Text, message.SentAt, MessageState.Received).ConfigureAwait(false);
            session.Link.TrySend(FrameType.ChatAck, SmallPayloads.EncodeId(message.Id));
            if (isNew)
            {
                _events.Publish("message", () => ToEvent(new MessageRecord(message.Id, peer, Outgoing: false, message.Text, message.SentAt, MessageState.Received, 0)));
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            ChatLog.StoreFailed(_logger, session.Id.Short, e);
        }
    }

    private ValueTask OnAck(PeerSession session, Frame frame)
    {
        if (!SmallPayloads.TryDecodeId(frame.Payload, out var id))
        {
            throw new ProtocolException("chat ack must carry a 16-byte message ID");
        }
        _ = MarkDeliveredAsync(session.Id, id);
        return ValueTask.CompletedTask;
    }

    private async Task MarkDeliveredAsync(DeviceId peer, Guid id)
    {
        try
        {
            if (await _store.SetOutgoingStateAsync(id, peer.Compact, MessageState.Delivered).ConfigureAwait(false))
            {
                Delivered?.Invoke(id);
                _events.Publish("delivered", () => new { id, peer = peer.ToString() });
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            ChatLog.StoreFailed(_logger, peer.Short, e);
        }
    }

    /// <summary>Sends, oldest first, every message that waited for this peer.</summary>
    public async Task SendPendingAsync(PeerSession session)
    {
        var pending = await _store.PendingOutgoingAsync(session.Id.Compact).ConfigureAwait(false);
        foreach (var message in pending)
        {
            if (!session.Link.TrySend(FrameType.ChatMessage, new ChatMessage(message.Id, message.SentAt, message.Text).Encode()))
            {
                return;
            }
            if (message.State == MessageState.Queued)
            {
                _ = _store.SetOutgoingStateAsync(message.Id, message.Peer, MessageState.Sent);
            }
        }
        if (pending.Count > 0)
        {
            ChatLog.SentPending(_logger, pending.Count, session.Id.Short);
        }
    }

    /// <summary>The shape of a message in the API and the event stream.</summary>
    public object ToEvent(MessageRecord m)
    {
        var id = DeviceId.Parse(m.Peer);
        return new
        {
            id = m.Id,
            peer = id.ToString(),
            peerName = _contacts.Find(id)?.DisplayName ?? id.Short,
            outgoing = m.Outgoing,
            text = m.Text,
            sentAt = m.SentAt,
            state = m.State,
            seq = m.Sequence,
            warning = m.Warning,
        };
    }
}

internal static partial class ChatLog
{
    [LoggerMessage(300, LogLevel.Error, "could not store a message exchanged with {Peer}")]
    public static partial void StoreFailed(ILogger logger, string peer, Exception exception);

    [LoggerMessage(301, LogLevel.Information, "sent {Count} waiting messages to {Peer}")]
    public static partial void SentPending(ILogger logger, int count, string peer);
}
