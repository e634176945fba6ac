using System.Threading.RateLimiting;
using Parley.Core.Chat;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Attachments;
using Parley.Node.Chat;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// A room's messages as we say and show them: sealed with our sender key and signed, stored, then
/// posted to the hub, which answers with the message's place in the room's log once it is on its disk
/// (a post the hub did not confirm is posted again after the next sync). History is kept like 1:1
/// history, under the peer "#name", with delivery counts from members' read positions.
/// </summary>
internal sealed class RoomChat(NodeIdentity identity, IHubChannel channel, RoomBook book, RoomKeys keys, NodeStore store, EventHub events,
    TimeProvider time, AttachmentBook attachments) : IHubClientFeature
{
    /// <summary>Room messages posted a second, at most: under the hub's 500 (which closes the link of a member past it), leaving room for keys. 400.</summary>
    public const int PostsPerSecond = 400;

    /// <summary>Posts that may wait for their turn; more are refused. 10,000.</summary>
    public const int MaxPostsWaiting = 10_000;

    private readonly HubExchange<RoomPosted> _posts = new(channel, time, "the room message");

    private readonly TokenBucketRateLimiter _pace = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = PostsPerSecond,
        TokensPerPeriod = PostsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = MaxPostsWaiting,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    });

    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<RoomPosted>(FrameType.RoomPosted)];

    /// <summary>How a room's messages are keyed in the store and named in the API: "#" and the normalized name.</summary>
    public static string ConversationKey(string room) => "#" + RoomNames.Normalize(room);

    /// <summary>Encrypts with our sender key, signs, stores, and posts to the hub; returns once the hub has it on disk (or says why not).</summary>
    public Task<MessageView> SendAsync(string room, string text)
    {
        ChatService.CheckText(text);
        var message = new ChatMessage(Guid.CreateVersion7(), time.GetUtcNow(), text);
        return SendAsync(room, message, message.ToArray());
    }

    /// <summary>As above for any plaintext (a chat message or an attachment's reference); <paramref name="message"/> is what we store and show.</summary>
    public async Task<MessageView> SendAsync(string room, ChatMessage message, byte[] plaintext)
    {
        room = RoomNames.Normalize(room);
        var text = message.Text;
        var state = book.Find(room) ?? throw new ChatException($"you are not in #{room}; join it first");
        if (!channel.Connected)
        {
            throw new ChatException("the hub is not reachable right now; nothing was sent");
        }
        var sealedMessage = await keys.SealWithMyKeyAsync(state, key => RoomCrypto.SealMessage(identity, room, key, plaintext)).ConfigureAwait(false)
            ?? throw new ChatException("the hub is not reachable right now; nothing was sent"); // no key could go out to the members

        RoomCrypto.TryReadKeyId(sealedMessage, out var keyId, out var counter);
        var record = new MessageRecord(message.Id, "#" + room, true, text, message.SentAt, MessageState.Sent, 0) { Sender = identity.DeviceId.Compact };
        await store.InsertOwnRoomMessageAsync(record, keyId, counter, sealedMessage).ConfigureAwait(false);
        string? warning = null;
        try
        {
            var posted = await PostAsync(room, message.Id, sealedMessage).ConfigureAwait(false);
            if (posted.Error is not null)
            {
                await store.DeleteMessageAsync(message.Id).ConfigureAwait(false);
                throw new ChatException(posted.Error);
            }
        }
        catch (HubUnavailableException e)
        {
            warning = $"{e.Message}; it is posted again when the hub is back";
        }
        var view = View(await store.MessageAsync(message.Id).ConfigureAwait(false) ?? record) with { Warning = warning };
        events.Publish(ChatEvents.Message, view);
        return view;
    }

    private async Task<RoomPosted> PostAsync(string room, Guid id, byte[] sealedMessage)
    {
        using var turn = await _pace.AcquireAsync(1).ConfigureAwait(false);
        if (!turn.IsAcquired)
        {
            return new RoomPosted(0, 0, $"more than {MaxPostsWaiting} room messages are waiting to go out; try again in a moment");
        }
        var posted = await _posts.AskAsync(FrameType.RoomMessage, postId => new RoomMessage(postId, room, identity.DeviceId, sealedMessage)).ConfigureAwait(false);
        if (posted.Error is null)
        {
            await store.SetRoomSeqAsync(id, (long)posted.Seq).ConfigureAwait(false);
            if (book.Find(room) is { } state && RoomCrypto.TryReadKeyId(sealedMessage, out var keyId, out var counter))
            {
                await keys.HandToLateJoinersAsync(state, keyId, counter, posted.Seq).ConfigureAwait(false);
            }
        }
        return posted;
    }

    /// <summary>After a sync: posts again what the hub never confirmed (the link dropped first); members that got it already ignore the copy.</summary>
    public async Task RepostAsync(RoomState state)
    {
        var unposted = await store.UnpostedRoomMessagesAsync("#" + state.Name).ConfigureAwait(false);
        // Their keys first, from the earliest unconfirmed message under each: they may have been lost with the link.
        var firsts = new Dictionary<uint, ulong>();
        foreach (var (_, sealedMessage) in unposted)
        {
            if (RoomCrypto.TryReadKeyId(sealedMessage, out var keyId, out var counter))
            {
                firsts[keyId] = Math.Min(firsts.GetValueOrDefault(keyId, ulong.MaxValue), counter);
            }
        }
        foreach (var (keyId, counter) in firsts)
        {
            await keys.HandAgainAsync(state, keyId, counter).ConfigureAwait(false);
        }
        foreach (var (id, sealedMessage) in unposted)
        {
            var posted = await PostAsync(state.Name, id, sealedMessage).ConfigureAwait(false);
            if (posted.Error is null && await store.MessageAsync(id).ConfigureAwait(false) is { } record)
            {
                events.Publish(ChatEvents.Message, View(record));
            }
        }
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (RoomPosted.TryRead(frame.Payload, out var posted, out _))
        {
            _posts.TryAnswer(posted.PostId, posted);
        }
        return ValueTask.CompletedTask;
    }

    public void OnHubLost() => _posts.FailAll();

    public async Task<IReadOnlyList<MessageView>> HistoryAsync(string room, int limit, long before = long.MaxValue) =>
        [.. (await store.HistoryAsync(ConversationKey(room), Math.Clamp(limit, 1, 10_000), before).ConfigureAwait(false)).Select(View)];

    /// <summary>
    /// A change told to us directly, not through the room's log (an invitation, our removal, being found
    /// out on rejoining): a line in the room's timeline, and a <c>room.notice</c> event.
    /// </summary>
    public async Task NoticeAsync(string room, DeviceId member, string name, RoomNoticeKind kind, string text)
    {
        var notice = new MessageRecord(Guid.CreateVersion7(), "#" + room, false, text, time.GetUtcNow(), MessageState.Notice, 0) { Sender = member.Compact };
        await store.InsertMessageAsync(notice.Id, notice.Peer, false, text, notice.SentAt, MessageState.Notice, member.Compact).ConfigureAwait(false);
        var stored = await store.MessageAsync(notice.Id).ConfigureAwait(false) ?? notice; // with its place in our store (its seq)
        events.Publish(RoomsEvents.Notice, () => new RoomNoticeEvent("#" + room, member.ToString(), name, kind == RoomNoticeKind.Joined) { Kind = kind, Text = text });
        events.Publish(ChatEvents.Message, () => View(stored));
    }

    /// <summary>A stored room message (or notice) as the API and the event stream show it, with its delivery count or the key it waits for.</summary>
    public MessageView View(MessageRecord m) => attachments.Decorate(ViewOf(m));

    private MessageView ViewOf(MessageRecord m)
    {
        DeviceId? sender = m.Sender is { Length: > 0 } s && DeviceId.TryParse(s, out var id) ? id : null;
        var room = m.Peer.TrimStart('#');
        var view = new MessageView(m.Id, m.Peer, m.Peer, sender?.ToString(), sender is { } who ? book.NameOf(room, who) : m.Peer,
            m.Outgoing, m.Text, m.SentAt, m.State, m.Sequence, m.Warning) { RoomSeq = m.RoomSeq };
        if (m.State == MessageState.WaitingForKey && sender is { } owner)
        {
            return view with { WaitingFor = book.NameOf(room, owner) };
        }
        if (m.Outgoing && m.RoomSeq is { } seq && book.Find(room) is { } state)
        {
            var (delivered, recipients) = RoomDelivery.Count(state, identity.DeviceId, (ulong)seq);
            return view with { Delivered = delivered, Recipients = recipients };
        }
        return view;
    }
}
