using Parley.Core.Chat;
using System.Text;
using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// A room's messages: sealed with our sender key and signed, handed to the hub to fan out as
/// ciphertext; opened with the sender's key and checked against its published identity key on the
/// way in. History is kept like 1:1 history, under the peer "#name".
/// </summary>
internal sealed class RoomChat(NodeIdentity identity, IHubChannel channel, VerifiedDirectory directory, RoomBook book, NodeStore store, EventHub events,
    TimeProvider time, ILoggerFactory loggerFactory) : IHubClientFeature
{
    /// <summary>The event stream's type for a message, 1:1 or room (chat's <c>ChatEvents.Message</c>; the two must stay one name).</summary>
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");

    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<RoomMessage>(FrameType.RoomMessage)];

    /// <summary>How a room's messages are keyed in the store and named in the API: "#" and the normalized name.</summary>
    public static string ConversationKey(string room) => "#" + RoomNames.Normalize(room);

    /// <summary>Encrypts with our sender key, signs, and hands the message to the hub to fan out.</summary>
    public async Task<MessageView> SendAsync(string room, string text)
    {
        room = RoomNames.Normalize(room);
        ChatService.CheckText(text);
        var state = book.Find(room) ?? throw new ChatException($"you are not in #{room}; join it first");
        var message = new ChatMessage(Guid.CreateVersion7(), time.GetUtcNow(), text);
        byte[] sealedMessage;
        lock (state.Lock)
        {
            sealedMessage = RoomCrypto.SealMessage(identity, room, state.MyKey, message.ToArray());
        }
        if (!channel.TrySend(FrameType.RoomMessage, new RoomMessage(room, identity.DeviceId, sealedMessage)))
        {
            throw new ChatException("the hub is not reachable right now; nothing was sent");
        }
        await store.InsertMessageAsync(message.Id, "#" + room, outgoing: true, text, message.SentAt, MessageState.Sent, identity.DeviceId.Compact).ConfigureAwait(false);
        var view = View(new MessageRecord(message.Id, "#" + room, true, text, message.SentAt, MessageState.Sent, 0) { Sender = identity.DeviceId.Compact });
        events.Publish(ChatEvents.Message, view);
        return view;
    }

    public async Task<IReadOnlyList<MessageView>> HistoryAsync(string room, int limit, long before = long.MaxValue) =>
        [.. (await store.HistoryAsync(ConversationKey(room), Math.Clamp(limit, 1, 10_000), before).ConfigureAwait(false)).Select(View)];

    /// <summary>Room frames come from other members through the hub: a malformed one is dropped, not a reason to drop the hub.</summary>
    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (RoomMessage.TryRead(frame.Payload, out var message, out _))
        {
            _ = OpenAsync(message.Room, message.Sender, message.SealedMessage);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Opens and stores a member's message, or keeps it until its sender key arrives.</summary>
    public async Task OpenAsync(string room, DeviceId sender, byte[] sealedMessage)
    {
        if (book.Find(room) is not { } state || !RoomCrypto.TryReadKeyId(sealedMessage, out var keyId))
        {
            return;
        }
        byte[]? key;
        lock (state.Lock)
        {
            if (!state.Keys.TryGetValue((sender, keyId), out key))
            {
                if (state.Pending.Count < RoomState.MaxPending)
                {
                    state.Pending.Add((sender, sealedMessage));
                }
                return;
            }
        }
        var entry = await directory.TryFindAsync(sender).ConfigureAwait(false);
        if (entry is null || !RoomCrypto.TryOpenMessage(sealedMessage, room, sender, entry.IdentityKey, key, out var plaintext)
            || !WireMessage.TryRead<ChatMessage>(plaintext, out var message, out _))
        {
            RoomsLog.Dropped(_logger, sender.Short, room);
            return;
        }
        if (await store.InsertMessageAsync(message!.Id, "#" + room, false, message.Text, message.SentAt, MessageState.Received, sender.Compact).ConfigureAwait(false))
        {
            var record = new MessageRecord(message.Id, "#" + room, false, message.Text, message.SentAt, MessageState.Received, 0) { Sender = sender.Compact };
            events.Publish(ChatEvents.Message, () => View(record));
        }
    }

    /// <summary>A change in the room (a join, leave, removal, invitation or new policy): a line in the room's timeline, and a <c>room.notice</c> event.</summary>
    public async Task NoticeAsync(string room, DeviceId member, string name, RoomNoticeKind kind, string text)
    {
        var notice = new MessageRecord(Guid.CreateVersion7(), "#" + room, false, text, time.GetUtcNow(), MessageState.Notice, 0) { Sender = member.Compact };
        await store.InsertMessageAsync(notice.Id, notice.Peer, false, text, notice.SentAt, MessageState.Notice, member.Compact).ConfigureAwait(false);
        events.Publish(RoomsEvents.Notice, () => new RoomNoticeEvent("#" + room, member.ToString(), name, kind == RoomNoticeKind.Joined) { Kind = kind, Text = text });
        events.Publish(ChatEvents.Message, () => View(notice));
    }

    /// <summary>A stored room message (or notice) as the API and the event stream show it.</summary>
    public MessageView View(MessageRecord m)
    {
        DeviceId? sender = m.Sender is { } s && DeviceId.TryParse(s, out var id) ? id : null;
        return new MessageView(m.Id, m.Peer, m.Peer, sender?.ToString(), sender is { } who ? book.NameOf(m.Peer.TrimStart('#'), who) : m.Peer,
            m.Outgoing, m.Text, m.SentAt, m.State, m.Sequence);
    }
}
