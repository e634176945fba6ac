using Parley.Core.Chat;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// Group chat in hub rooms, end to end. Each member encrypts its messages with its own sender key
/// and signs them; it hands that key to every other member sealed to the member's published
/// agreement key; and it makes a new key whenever anyone joins or leaves, so a member who left
/// cannot read what follows and one who joins cannot read what came before. The hub fans out
/// ciphertext. Room history is kept like 1:1 history, under the peer "#name".
/// </summary>
public sealed partial class RoomService
{
    private const string RoomsSetting = "rooms";
    private const int MaxPendingPerRoom = 256;
    private readonly NodeIdentity _identity;
    private readonly AgreementKey _agreement;
    private readonly HubClient _hub;
    private readonly NodeStore _store;
    private readonly EventHub _events;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RoomState> _rooms = new(StringComparer.Ordinal);

    private sealed class RoomState(string name)
    {
        public string Name { get; } = name;

        public Lock Lock { get; } = new();

        public Dictionary<DeviceId, string> Members { get; set; } = [];

        public SenderKey MyKey { get; set; } = SenderKey.CreateRandom();

        public Dictionary<(DeviceId, uint), byte[]> Keys { get; } = [];

        /// <summary>Messages whose sender key has not arrived yet (it is on its way after a rekey).</summary>
        public List<(DeviceId Sender, byte[] Sealed)> Pending { get; } = [];
    }

    public RoomService(NodeIdentity identity, AgreementKey agreement, HubClient hub, NodeStore store, EventHub events, ILoggerFactory loggerFactory)
    {
        _identity = identity;
        _agreement = agreement;
        _hub = hub;
        _store = store;
        _events = events;
        _logger = loggerFactory.CreateLogger("Parley.Rooms");
        hub.RoomFrame = OnFrameAsync;
        hub.Linked = RejoinAsync;
    }

    /// <summary>Rooms this node is in (as of its last word with the hub).</summary>
    public IReadOnlyList<string> Joined => [.. _rooms.Keys.Order(StringComparer.Ordinal)];

    public async Task<IReadOnlyList<RoomMember>> CreateAsync(string room) => await EnterAsync(RoomNames.Normalize(room), RoomOp.Create).ConfigureAwait(false);

    public async Task<IReadOnlyList<RoomMember>> JoinAsync(string room) => await EnterAsync(RoomNames.Normalize(room), RoomOp.Join).ConfigureAwait(false);

    private async Task<IReadOnlyList<RoomMember>> EnterAsync(string room, RoomOp op)
    {
        var (error, _, members) = await _hub.RoomCommandAsync(op, room).ConfigureAwait(false);
        if (error is not null)
        {
            throw new ChatException(error);
        }
        var state = _rooms.GetOrAdd(room, name => new RoomState(name));
        lock (state.Lock)
        {
            state.Members = members.ToDictionary(m => m.DeviceId, m => m.Name);
        }
        await SaveJoinedAsync().ConfigureAwait(false);
        await RekeyAsync(state).ConfigureAwait(false);
        return members;
    }

    public async Task LeaveAsync(string room)
    {
        room = RoomNames.Normalize(room);
        var (error, _, _) = await _hub.RoomCommandAsync(RoomOp.Leave, room).ConfigureAwait(false);
        _rooms.TryRemove(room, out _); // our keys for it go with it
        await SaveJoinedAsync().ConfigureAwait(false);
        if (error is not null)
        {
            throw new ChatException(error);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync()
    {
        var (error, rooms, _) = await _hub.RoomCommandAsync(RoomOp.List, "list").ConfigureAwait(false);
        return error is null ? rooms : throw new ChatException(error);
    }

    public async Task<IReadOnlyList<RoomMember>> MembersAsync(string room)
    {
        var (error, _, members) = await _hub.RoomCommandAsync(RoomOp.Members, RoomNames.Normalize(room)).ConfigureAwait(false);
        return error is null ? members : throw new ChatException(error);
    }

    /// <summary>Encrypts with our sender key, signs, and hands the message to the hub to fan out.</summary>
    public async Task<MessageRecord> SendAsync(string room, string text)
    {
        room = RoomNames.Normalize(room);
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        if (bytes > ProtocolLimits.MaxChatTextBytes || bytes == 0)
        {
            throw new ChatException(bytes == 0 ? "message is empty" : $"message is {bytes} bytes; the limit is {ProtocolLimits.MaxChatTextBytes} (64 KiB). Nothing was sent.");
        }
        if (!_rooms.TryGetValue(room, out var state))
        {
            throw new ChatException($"you are not in #{room}; join it first");
        }
        var message = new ChatMessage(Guid.CreateVersion7(), DateTimeOffset.UtcNow, text);
        byte[] sealedMessage;
        lock (state.Lock)
        {
            sealedMessage = RoomCrypto.SealMessage(_identity, room, state.MyKey, message.ToArray());
        }
        if (!_hub.Send(FrameType.RoomMessage, new RoomMessage(room, _identity.DeviceId, sealedMessage).ToArray()))
        {
            throw new ChatException("the hub is not reachable right now; nothing was sent");
        }
        await _store.InsertMessageAsync(message.Id, "#" + room, outgoing: true, text, message.SentAt, MessageState.Sent, _identity.DeviceId.Compact).ConfigureAwait(false);
        var record = new MessageRecord(message.Id, "#" + room, true, text, message.SentAt, MessageState.Sent, 0) { Sender = _identity.DeviceId.Compact };
        _events.Publish("message", () => ToEvent(record));
        return record;
    }

    public Task<IReadOnlyList<MessageRecord>> HistoryAsync(string room, int limit, long before = long.MaxValue) =>
        _store.HistoryAsync(ConversationKey(room), Math.Clamp(limit, 1, 10_000), before);

    /// <summary>How a room's messages are keyed in the store and named in the API: "#" and the normalized name.</summary>
    public static string ConversationKey(string room) => "#" + RoomNames.Normalize(room);

    /// <summary>A new sender key for us in this room, sealed to each other member's agreement key.</summary>
    private async Task RekeyAsync(RoomState state)
    {
        SenderKey key;
        List<DeviceId> others;
        lock (state.Lock)
        {
            key = state.MyKey = SenderKey.CreateRandom();
            others = [.. state.Members.Keys.Where(m => m != _identity.DeviceId)];
        }
        var encoded = SenderKeyItem.Of(state.Name, key).ToArray();
        foreach (var member in others)
        {
            if (await DirectoryEntryAsync(member).ConfigureAwait(false) is { } entry)
            {
                var item = MailboxSeal.Seal(_identity, member, entry.AgreementKey, encoded);
                _hub.Send(FrameType.RoomKey, new RoomKey(state.Name, _identity.DeviceId, member, item).ToArray());
            }
            else
            {
                RoomLog.NoKey(_logger, member.Short, state.Name);
            }
        }
    }

    /// <summary>A member's verified directory entry: its agreement key to seal to, its identity key to check signatures.</summary>
    private async Task<WhoisAnswer?> DirectoryEntryAsync(DeviceId member)
    {
        try
        {
            return await _hub.VerifiedEntryAsync(member).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private async Task OnFrameAsync(FrameType type, byte[] payload)
    {
        switch (type)
        {
            case FrameType.RoomNotice when WireMessage.TryRead<RoomNotice>(payload, out var notice, out _):
                await OnNoticeAsync(notice.Joined, notice.Room, notice.Member, notice.Name).ConfigureAwait(false);
                break;
            case FrameType.RoomKey when WireMessage.TryRead<RoomKey>(payload, out var roomKey, out _):
                await OnKeyAsync(roomKey.Room, roomKey.From, roomKey.To, roomKey.Item).ConfigureAwait(false);
                break;
            case FrameType.RoomMessage when WireMessage.TryRead<RoomMessage>(payload, out var message, out _):
                await OnMessageAsync(message.Room, message.Sender, message.SealedMessage).ConfigureAwait(false);
                break;
        }
    }

    private async Task OnNoticeAsync(bool joined, string room, DeviceId member, string name)
    {
        if (!_rooms.TryGetValue(room, out var state))
        {
            return;
        }
        lock (state.Lock)
        {
            if (joined)
            {
                state.Members[member] = name;
            }
            else
            {
                state.Members.Remove(member);
                foreach (var stale in state.Keys.Keys.Where(k => k.Item1 == member).ToList())
                {
                    state.Keys.Remove(stale);
                }
            }
        }
        var text = $"{name} {(joined ? "joined" : "left")} #{room}";
        var notice = new MessageRecord(Guid.CreateVersion7(), "#" + room, false, text, DateTimeOffset.UtcNow, MessageState.Notice, 0) { Sender = member.Compact };
        await _store.InsertMessageAsync(notice.Id, notice.Peer, false, text, notice.SentAt, MessageState.Notice, member.Compact).ConfigureAwait(false);
        _events.Publish("room.notice", () => new { room = "#" + room, deviceId = member.ToString(), name, joined });
        _events.Publish("message", () => ToEvent(notice));
        await RekeyAsync(state).ConfigureAwait(false);
    }

    private async Task OnKeyAsync(string room, DeviceId from, DeviceId to, byte[] item)
    {
        if (to != _identity.DeviceId || !_rooms.TryGetValue(room, out var state)
            || !MailboxSeal.TryOpen(item, _agreement, _identity.DeviceId, out var sealedBy, out var plaintext, out _)
            || sealedBy != from || !WireMessage.TryRead<SenderKeyItem>(plaintext, out var keyItem, out _) || keyItem.Room != room)
        {
            return;
        }
        List<(DeviceId, byte[])> ready;
        lock (state.Lock)
        {
            state.Keys[(from, keyItem.KeyId)] = keyItem.Key;
            ready = [.. state.Pending.Where(p => p.Sender == from)];
            state.Pending.RemoveAll(p => p.Sender == from);
        }
        foreach (var (sender, sealedMessage) in ready)
        {
            await OnMessageAsync(room, sender, sealedMessage).ConfigureAwait(false);
        }
    }

    private async Task OnMessageAsync(string room, DeviceId sender, byte[] sealedMessage)
    {
        if (!_rooms.TryGetValue(room, out var state) || !RoomCrypto.TryReadKeyId(sealedMessage, out var keyId))
        {
            return;
        }
        byte[]? key;
        lock (state.Lock)
        {
            if (!state.Keys.TryGetValue((sender, keyId), out key))
            {
                if (state.Pending.Count < MaxPendingPerRoom)
                {
                    state.Pending.Add((sender, sealedMessage));
                }
                return;
            }
        }
        var entry = await DirectoryEntryAsync(sender).ConfigureAwait(false);
        if (entry is null || !RoomCrypto.TryOpenMessage(sealedMessage, room, sender, entry.IdentityKey, key, out var plaintext)
            || !WireMessage.TryRead<ChatMessage>(plaintext, out var message, out _))
        {
            RoomLog.Dropped(_logger, sender.Short, room);
            return;
        }
        if (await _store.InsertMessageAsync(message!.Id, "#" + room, false, message.Text, message.SentAt, MessageState.Received, sender.Compact).ConfigureAwait(false))
        {
            var record = new MessageRecord(message.Id, "#" + room, false, message.Text, message.SentAt, MessageState.Received, 0) { Sender = sender.Compact };
            _events.Publish("message", () => ToEvent(record));
        }
    }

    /// <summary>After a (re)connection to the hub: fetch each room's members again and hand out fresh keys.</summary>
    private async Task RejoinAsync()
    {
        var saved = await _store.GetSettingAsync(RoomsSetting).ConfigureAwait(false);
        foreach (var room in (saved ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                await EnterAsync(room, RoomOp.Join).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ChatException or InvalidOperationException)
            {
                RoomLog.RejoinFailed(_logger, room, e.Message);
            }
        }
    }

    private Task SaveJoinedAsync() => _store.SetSettingAsync(RoomsSetting, string.Join(',', Joined));

    /// <summary>The shape of a room message in the API and event stream.</summary>
    public object ToEvent(MessageRecord m) => new
    {
        id = m.Id,
        peer = m.Peer,
        room = m.Peer,
        sender = m.Sender is { } s && DeviceId.TryParse(s, out var id) ? id.ToString() : null,
        peerName = m.Sender is { } who && DeviceId.TryParse(who, out var senderId) ? NameOf(m.Peer, senderId) : m.Peer,
        outgoing = m.Outgoing,
        text = m.Text,
        sentAt = m.SentAt,
        state = m.State,
        seq = m.Sequence,
    };

    private string NameOf(string room, DeviceId member)
    {
        if (member == _identity.DeviceId)
        {
            return "me";
        }
        if (_rooms.TryGetValue(room.TrimStart('#'), out var state))
        {
            lock (state.Lock)
            {
                if (state.Members.TryGetValue(member, out var name))
                {
                    return name;
                }
            }
        }
        return _hub.CachedEntry(member)?.Name ?? member.Short;
    }
}

internal static partial class RoomLog
{
    [LoggerMessage(800, LogLevel.Warning, "no valid directory entry for {Member}: it cannot get our key for #{Room}")]
    public static partial void NoKey(ILogger logger, string member, string room);

    [LoggerMessage(801, LogLevel.Warning, "dropped a message from {Sender} in #{Room}: its signature or encryption does not check out")]
    public static partial void Dropped(ILogger logger, string sender, string room);

    [LoggerMessage(802, LogLevel.Information, "could not rejoin #{Room}: {Reason}")]
    public static partial void RejoinFailed(ILogger logger, string room, string reason);
}
