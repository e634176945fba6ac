using Microsoft.Extensions.Logging;
using Parley.Core.Chat;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>
/// A peer's reply, edit, delete or reaction, from its link or the hub's mailbox. An edit or delete
/// counts only from the message's own sender and within the time its sender's node allows (both
/// times are the sender's clock, so no skew between us matters); a reaction only from the peer of
/// that conversation and only one of <see cref="ChatRules.Reactions"/>. Refused ones are logged,
/// and still acknowledged: resending would not make them right.
/// </summary>
public sealed partial class ChatService
{
    private async Task ApplyAndAcknowledgeAsync(PeerSession session, ChatAction action)
    {
        try
        {
            await ApplyIncomingAsync(session.Id, action).ConfigureAwait(false);
            session.Link.TrySend(FrameType.ChatAck, new ChatAck(action.Id).ToArray());
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            ChatLog.StoreFailed(_logger, session.Id.Short, e);
        }
    }

    /// <summary>Applies a peer's action; null when applied (or already in), else why it was refused.</summary>
    public async Task<string?> ApplyIncomingAsync(DeviceId peer, ChatAction action)
    {
        var refusal = action.Kind == ChatActionKind.Reply ? await StoreReplyAsync(peer, action).ConfigureAwait(false)
            : await ChangeAsync(peer, action).ConfigureAwait(false);
        if (refusal is not null)
        {
            ChatLog.ActionRefused(_logger, action.Kind, peer.Short, refusal);
        }
        return refusal;
    }

    private async Task<string?> StoreReplyAsync(DeviceId peer, ChatAction action)
    {
        var record = new MessageRecord(action.Id, peer.Compact, Outgoing: false, action.Text, action.SentAt, MessageState.Received, 0) { ReplyTo = action.Target };
        if (await store.InsertMessageAsync(action.Id, peer.Compact, outgoing: false, action.Text, action.SentAt, MessageState.Received, replyTo: action.Target)
            .ConfigureAwait(false))
        {
            var view = (await ViewsAsync(peer, [record]).ConfigureAwait(false))[0];
            events.Publish(ChatEvents.Message, () => view);
        }
        return null;
    }

    private async Task<string?> ChangeAsync(DeviceId peer, ChatAction action)
    {
        if (await store.FindMessageAsync(action.Target, peer.Compact).ConfigureAwait(false) is not { } target)
        {
            return "no such message in this conversation";
        }
        var changed = action.Kind switch
        {
            // A file or call entry takes its ID from the peer (an offer ID), yet is ours to show: never the peer's to rewrite.
            _ when !ChatRules.IsMessage(target.State) => "only a message can be changed",
            _ when target.Deleted => "the message was deleted",
            ChatActionKind.Edit or ChatActionKind.Delete when target.Outgoing => "only its sender may change a message",
            ChatActionKind.Edit when action.SentAt - target.SentAt > ChatRules.EditWindow => "the time to edit it has passed",
            ChatActionKind.Delete when action.SentAt - target.SentAt > ChatRules.DeleteWindow => "the time to delete it has passed",
            ChatActionKind.React or ChatActionKind.Unreact when !ChatRules.Reactions.Contains(action.Text) => "not one of the reactions on offer",
            _ => null,
        };
        if (changed is not null)
        {
            return changed;
        }
        var applied = action.Kind switch
        {
            ChatActionKind.Edit => await store.EditMessageAsync(target.Id, peer.Compact, outgoing: false, action.Text, action.SentAt).ConfigureAwait(false),
            ChatActionKind.Delete => await store.DeleteMessageAsync(target.Id, peer.Compact, outgoing: false).ConfigureAwait(false),
            _ => await store.SetReactionAsync(target.Id, peer.Compact, action.Text, action.Kind == ChatActionKind.React, action.SentAt).ConfigureAwait(false),
        };
        if (applied)
        {
            var view = await ViewAsync(peer, target.Id).ConfigureAwait(false);
            events.Publish(ChatEvents.Changed, () => view);
        }
        return null;
    }
}

internal static partial class ChatLog
{
    [LoggerMessage(306, LogLevel.Warning, "refused a {Kind} from {Peer}: {Reason}")]
    public static partial void ActionRefused(ILogger logger, ChatActionKind kind, string peer, string reason);
}
