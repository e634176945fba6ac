using Parley.Core.Chat;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>
/// Our edits, deletes for everyone and reactions of 1:1 messages: applied here at once, then carried
/// to the peer like a message (over the link, else the hub's mailbox) and resent until acknowledged.
/// The peer's node checks them again (<c>ChatService.Apply.cs</c>).
/// </summary>
public sealed partial class ChatService
{
    public async Task<MessageView> EditAsync(DeviceId peer, Guid id, string text)
    {
        CheckText(text);
        var now = time.GetUtcNow();
        await OwnMessageAsync(peer, id, ChatRules.EditWindow, "edited", now).ConfigureAwait(false);
        await store.EditMessageAsync(id, peer.Compact, outgoing: true, text, now).ConfigureAwait(false);
        return await DeliverActionAsync(peer, new ChatAction(Guid.CreateVersion7(), now, ChatActionKind.Edit, id, text)).ConfigureAwait(false);
    }

    public async Task<MessageView> DeleteAsync(DeviceId peer, Guid id)
    {
        var now = time.GetUtcNow();
        await OwnMessageAsync(peer, id, ChatRules.DeleteWindow, "deleted for everyone", now).ConfigureAwait(false);
        await store.DeleteMessageAsync(id, peer.Compact, outgoing: true).ConfigureAwait(false);
        return await DeliverActionAsync(peer, new ChatAction(Guid.CreateVersion7(), now, ChatActionKind.Delete, id, "")).ConfigureAwait(false);
    }

    /// <summary>Adds our <paramref name="emoji"/> to a message, or takes it back if it is there.</summary>
    public async Task<MessageView> ToggleReactionAsync(DeviceId peer, Guid id, string emoji)
    {
        if (!ChatRules.Reactions.Contains(emoji))
        {
            throw new ChatException($"reactions are {string.Join(' ', ChatRules.Reactions)}");
        }
        var message = await store.FindMessageAsync(id, peer.Compact).ConfigureAwait(false) ?? throw NoSuchMessage();
        if (message.Deleted)
        {
            throw new ChatException("this message was deleted");
        }
        var mine = (await store.ReactionsAsync([id]).ConfigureAwait(false)).Any(r => r.Reactor.Length == 0 && r.Emoji == emoji);
        var now = time.GetUtcNow();
        await store.SetReactionAsync(id, "", emoji, active: !mine, now).ConfigureAwait(false);
        var kind = mine ? ChatActionKind.Unreact : ChatActionKind.React;
        return await DeliverActionAsync(peer, new ChatAction(Guid.CreateVersion7(), now, kind, id, emoji)).ConfigureAwait(false);
    }

    /// <summary>The message as ours to change: sent by us, not deleted, and within <paramref name="window"/> of sending.</summary>
    private async Task OwnMessageAsync(DeviceId peer, Guid id, TimeSpan window, string what, DateTimeOffset now)
    {
        var message = await store.FindMessageAsync(id, peer.Compact).ConfigureAwait(false) ?? throw NoSuchMessage();
        if (!message.Outgoing)
        {
            throw new ChatException($"only its sender can have a message {what}");
        }
        if (message.Deleted)
        {
            throw new ChatException("this message was deleted");
        }
        if (now - message.SentAt > window)
        {
            throw new ChatException(
                $"a message can be {what} for {ChatRules.Describe(window)} after it was sent; this one was sent {ChatRules.Describe(now - message.SentAt)} ago");
        }
    }

    private static ChatException NoSuchMessage() => new("no such message in this conversation");

    /// <summary>Stores the action (so it is resent until acknowledged), sends or mails it, and tells the page what the message is now.</summary>
    private async Task<MessageView> DeliverActionAsync(DeviceId peer, ChatAction action)
    {
        var session = sessions.Session(peer) is { IsOpen: true } open ? open : null;
        await store.InsertActionAsync(action, peer.Compact, session is null ? MessageState.Queued : MessageState.Sent).ConfigureAwait(false);
        session?.Link.TrySend(FrameType.ChatAction, action.ToArray());
        if (session is null && mailDrop.ShouldMail(peer) && await mailDrop.LeaveAsync(peer, action).ConfigureAwait(false) is null)
        {
            await store.SetActionStateAsync(action.Id, peer.Compact, MessageState.Mailed).ConfigureAwait(false);
        }
        var view = await ViewAsync(peer, action.Target).ConfigureAwait(false);
        events.Publish(ChatEvents.Changed, () => view);
        return view;
    }

    /// <summary>Resends, oldest first, our actions the peer has not acknowledged (after the messages they refer to).</summary>
    private async Task SendPendingActionsAsync(Links.PeerSession session)
    {
        foreach (var pending in await store.PendingActionsAsync(session.Id.Compact).ConfigureAwait(false))
        {
            if (!session.Link.TrySend(FrameType.ChatAction, pending.Action.ToArray()))
            {
                return;
            }
        }
    }

    /// <summary>One message of a conversation as the page shows it now, with its quote and reactions.</summary>
    public async Task<MessageView> ViewAsync(DeviceId peer, Guid id)
    {
        var message = await store.FindMessageAsync(id, peer.Compact).ConfigureAwait(false) ?? throw NoSuchMessage();
        return (await ViewsAsync(peer, [message]).ConfigureAwait(false))[0];
    }

    /// <summary>Messages as the page shows them: each reply with the start of what it quotes, reactions counted by emoji.</summary>
    public async Task<IReadOnlyList<MessageView>> ViewsAsync(DeviceId peer, IReadOnlyList<MessageRecord> messages)
    {
        var quotedIds = messages.Where(m => m.ReplyTo is not null).Select(m => m.ReplyTo!.Value).Distinct().ToList();
        var quoted = quotedIds.Count == 0 ? [] : await store.MessagesByIdAsync(peer.Compact, quotedIds).ConfigureAwait(false);
        var quotes = quoted.ToDictionary(q => q.Id);
        var reactions = messages.Count == 0 ? [] : await store.ReactionsAsync([.. messages.Select(m => m.Id)]).ConfigureAwait(false);
        var byMessage = reactions.ToLookup(r => r.MessageId);
        return [.. messages.Select(m => MessageView.Direct(m, contacts) with
        {
            Quote = m.ReplyTo is { } q && quotes.TryGetValue(q, out var quote) ? QuoteOf(quote) : null,
            Reactions = byMessage.Contains(m.Id) ? Count(byMessage[m.Id]) : null,
        })];
    }

    private static QuoteView QuoteOf(MessageRecord m) =>
        new(m.Id, m.Text.Length > ChatRules.QuoteLength ? m.Text[..ChatRules.QuoteLength] + "…" : m.Text, m.Outgoing, m.Deleted);

    private static List<ReactionView> Count(IEnumerable<ReactionRecord> reactions) =>
        [.. reactions.GroupBy(r => r.Emoji).Select(g => new ReactionView(g.Key, g.Count(), g.Any(r => r.Reactor.Length == 0)))];
}
