using Microsoft.Extensions.Logging;
using Parley.Core.Chat;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

public sealed partial class ChatService
{
    public ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.ChatMessage:
                // Store, then acknowledge; not awaited so the receive loop keeps reading and writes batch up.
                _ = StoreAndAcknowledgeAsync(session, frame.Read<ChatMessage>());
                break;
            case FrameType.ChatAction:
                _ = ApplyAndAcknowledgeAsync(session, frame.Read<ChatAction>());
                break;
            case FrameType.ChatAck:
                _ = MarkDeliveredAsync(session.Id, frame.Read<ChatAck>().Id);
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Stores a message that arrived other than over a link (from the hub mailbox); a known ID is ignored.</summary>
    public async Task StoreIncomingAsync(DeviceId peer, ChatMessage message)
    {
        if (await store.InsertMessageAsync(message.Id, peer.Compact, outgoing: false, message.Text, message.SentAt, MessageState.Received).ConfigureAwait(false))
        {
            PublishReceived(peer.Compact, message);
        }
    }

    private async Task StoreAndAcknowledgeAsync(PeerSession session, ChatMessage message)
    {
        try
        {
            var peer = session.Id.Compact;
            var isNew = await store.InsertMessageAsync(message.Id, peer, outgoing: false, message.Text, message.SentAt, MessageState.Received).ConfigureAwait(false);
            session.Link.TrySend(FrameType.ChatAck, new ChatAck(message.Id).ToArray());
            if (isNew)
            {
                PublishReceived(peer, message);
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            ChatLog.StoreFailed(_logger, session.Id.Short, e);
        }
    }

    private void PublishReceived(string peer, ChatMessage message) => events.Publish(ChatEvents.Message,
        () => MessageView.Direct(new MessageRecord(message.Id, peer, Outgoing: false, message.Text, message.SentAt, MessageState.Received, 0), contacts));

    private async Task MarkDeliveredAsync(DeviceId peer, Guid id)
    {
        try
        {
            if (await store.SetOutgoingStateAsync(id, peer.Compact, MessageState.Delivered).ConfigureAwait(false))
            {
                Delivered?.Invoke(id);
                events.Publish(ChatEvents.Delivered, () => new DeliveredEvent(id, peer.ToString()));
            }
            else
            {
                await store.SetActionStateAsync(id, peer.Compact, MessageState.Delivered).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            ChatLog.StoreFailed(_logger, peer.Short, e);
        }
    }
}

internal static partial class ChatLog
{
    [LoggerMessage(305, LogLevel.Warning, "could not leave {Peer}'s unacknowledged messages at the hub after its link was lost: {Reason}")]
    public static partial void MailAfterLossFailed(Microsoft.Extensions.Logging.ILogger logger, string peer, string reason);

    [LoggerMessage(300, LogLevel.Error, "could not store a message exchanged with {Peer}")]
    public static partial void StoreFailed(ILogger logger, string peer, Exception exception);

    [LoggerMessage(301, LogLevel.Information, "sent {Count} waiting messages to {Peer}")]
    public static partial void SentPending(ILogger logger, int count, string peer);
}
