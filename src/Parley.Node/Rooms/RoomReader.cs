using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Core.Chat;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// Reads a room's log in order: each message opened with its sender's key (checked against the
/// sender's published identity key) and stored at its place; one whose key has not come is stored
/// sealed as "waiting for key" (and the key asked for), and opened in place when the key comes;
/// notices keep the member list and trigger a new key of ours when they are live.
/// </summary>
internal sealed class RoomReader(NodeIdentity identity, IHubChannel channel, VerifiedDirectory directory, NodeStore store, RoomKeys keys,
    RoomChat chat, EventHub events, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");

    /// <summary>The hub says where our part of the log starts and ends: what is before its head now is catch-up.</summary>
    public void Synced(RoomState state, RoomSyncState sync)
    {
        lock (state.Lock)
        {
            state.SyncHead = sync.Head;
            state.FirstCaughtUp = null;
            if (state.Position + 1 < sync.Joined)
            {
                state.Position = state.Acked = sync.Joined - 1; // (re)joined: nothing before our join is ours
            }
        }
    }

    public async Task ReadAsync(RoomState state, RoomEntry entry)
    {
        bool live;
        lock (state.Lock)
        {
            if (entry.Seq <= state.Position)
            {
                return; // already stored (sent again after a reconnect)
            }
            live = entry.Seq > state.SyncHead;
        }
        switch (entry.Kind)
        {
            case RoomEntryKind.Message when entry.Sender != identity.DeviceId:
                await ReadMessageAsync(state, entry, live).ConfigureAwait(false);
                break;
            case RoomEntryKind.Notice when WireMessage.TryRead<RoomNotice>(entry.Body, out var notice, out _):
                await ReadNoticeAsync(state, entry, notice, live).ConfigureAwait(false);
                break;
            case RoomEntryKind.Gap when entry.Body.Length == 16:
                var dropped = BinaryPrimitives.ReadUInt64BigEndian(entry.Body.AsSpan(8)) - BinaryPrimitives.ReadUInt64BigEndian(entry.Body) + 1;
                await chat.NoticeAsync(state.Name, entry.Seq, $"{dropped} older entries of #{state.Name} were dropped by the hub's retention before you got them",
                    null).ConfigureAwait(false);
                break;
        }
        lock (state.Lock)
        {
            state.Position = Math.Max(state.Position, entry.Seq);
        }
    }

    private async Task ReadMessageAsync(RoomState state, RoomEntry entry, bool live)
    {
        var room = state.Name;
        if (!RoomCrypto.TryReadKeyId(entry.Body, out var keyId, out var counter))
        {
            Drop(state, entry.Sender);
            return;
        }
        switch (await TryOpenAsync(state, entry.Sender, keyId, counter, entry.Body).ConfigureAwait(false))
        {
            case (true, { } message):
                if (await store.InsertRoomMessageAsync(message.Id, "#" + room, message.Text, message.SentAt, entry.Sender.Compact, (long)entry.Seq,
                    MessageState.Received).ConfigureAwait(false))
                {
                    NoteCaughtUp(state, live, message.Id);
                    await PublishAsync(message.Id).ConfigureAwait(false);
                }
                break;
            case (true, null):
                Drop(state, entry.Sender);
                break;
            default:
                var placeholder = PlaceholderId(entry.Sender, entry.Body);
                if (await store.InsertWaitingAsync("#" + room, new WaitingRoomMessage(placeholder, entry.Sender.Compact, (long)entry.Seq, entry.Body, entry.At))
                    .ConfigureAwait(false))
                {
                    NoteCaughtUp(state, live, placeholder);
                    await PublishAsync(placeholder).ConfigureAwait(false);
                }
                keys.NoteMissing(state, entry.Sender, keyId, counter);
                break;
        }
    }

    /// <summary>(false, _): no key for it yet. (true, message): opened. (true, null): we hold its key and it does not open: forged or damaged.</summary>
    private async Task<(bool HaveKey, ChatMessage? Message)> TryOpenAsync(RoomState state, DeviceId sender, uint keyId, ulong counter, byte[] sealedMessage)
    {
        HeldSenderKey? key;
        lock (state.Lock)
        {
            state.Keys.TryGetValue((sender, keyId), out key);
        }
        if (key is null || counter < key.Start)
        {
            return (false, null);
        }
        var entry = await directory.TryFindAsync(sender).ConfigureAwait(false);
        if (entry is null || !RoomCrypto.TryOpenMessage(sealedMessage, state.Name, sender, entry.IdentityKey, key, out var plaintext)
            || !WireMessage.TryRead<ChatMessage>(plaintext, out var message, out _))
        {
            return (true, null);
        }
        return (true, message);
    }

    /// <summary>A key from <paramref name="sender"/> came: the messages that waited for it open in place.</summary>
    public async Task RetryWaitingAsync(RoomState state, DeviceId sender)
    {
        foreach (var waiting in await store.WaitingAsync("#" + state.Name).ConfigureAwait(false))
        {
            if (waiting.Sender != sender.Compact || !RoomCrypto.TryReadKeyId(waiting.Sealed, out var keyId, out var counter))
            {
                continue;
            }
            switch (await TryOpenAsync(state, sender, keyId, counter, waiting.Sealed).ConfigureAwait(false))
            {
                case (true, { } message):
                    await store.OpenWaitingAsync(waiting.Id, message.Id, message.Text, message.SentAt).ConfigureAwait(false);
                    await PublishAsync(message.Id).ConfigureAwait(false);
                    break;
                case (true, null):
                    Drop(state, sender);
                    break;
                default:
                    keys.NoteMissing(state, sender, keyId, counter); // a later link of the key than this message needs: ask from here
                    break;
            }
        }
    }

    /// <summary>After a restart: the messages still waiting for keys are noted again, so their owners are asked.</summary>
    public async Task ResumeAsync(RoomState state)
    {
        foreach (var waiting in await store.WaitingAsync("#" + state.Name).ConfigureAwait(false))
        {
            if (DeviceId.TryParse(waiting.Sender, out var sender) && RoomCrypto.TryReadKeyId(waiting.Sealed, out var keyId, out var counter))
            {
                keys.NoteMissing(state, sender, keyId, counter);
            }
        }
    }

    private async Task ReadNoticeAsync(RoomState state, RoomEntry entry, RoomNotice notice, bool live)
    {
        lock (state.Lock)
        {
            // Replaying notices on top of today's member list ends where it started: each sets one member in or out.
            if (notice.Joined)
            {
                state.Members[notice.Member] = notice.Name;
                // Its join notice's place is where it joined: what it may read (and ask keys for) starts after it.
                if (!state.Receipts.TryGetValue(notice.Member, out var known) || known.Joined < entry.Seq)
                {
                    state.Receipts[notice.Member] = new RoomReceipt(notice.Member, entry.Seq, entry.Seq - 1);
                }
            }
            else
            {
                state.Remove(notice.Member);
            }
        }
        var self = notice.Member == identity.DeviceId;
        var text = self ? $"you {(notice.Joined ? "joined" : "left")} #{state.Name}" : $"{notice.Name} {(notice.Joined ? "joined" : "left")} #{state.Name}";
        await chat.NoticeAsync(state.Name, entry.Seq, text, notice).ConfigureAwait(false);
        if (live && !self)
        {
            await keys.RekeyAsync(state).ConfigureAwait(false);
        }
    }

    /// <summary>Tells the hub (and the store) how far we have read, once the queue has run dry.</summary>
    public async Task AcknowledgeAsync(RoomState state)
    {
        ulong position;
        lock (state.Lock)
        {
            if (state.Position == state.Acked)
            {
                return;
            }
            position = state.Acked = state.Position;
        }
        await store.SetRoomPositionAsync(state.Name, (long)position).ConfigureAwait(false);
        channel.TrySend(FrameType.RoomAck, new RoomPosition(state.Name, position));
    }

    private void NoteCaughtUp(RoomState state, bool live, Guid id)
    {
        if (!live)
        {
            lock (state.Lock)
            {
                state.FirstCaughtUp ??= id;
            }
        }
    }

    private async Task PublishAsync(Guid id)
    {
        if (await store.MessageAsync(id).ConfigureAwait(false) is { } record)
        {
            events.Publish(ChatEvents.Message, () => chat.View(record));
        }
    }

    private void Drop(RoomState state, DeviceId sender)
    {
        lock (state.Lock)
        {
            state.Dropped++;
        }
        RoomsLog.Dropped(_logger, sender.Short, state.Name);
    }

    /// <summary>A waiting message's ID until it opens: fixed by its sender and sealed bytes, so the same entry read twice is stored once.</summary>
    private static Guid PlaceholderId(DeviceId sender, byte[] sealedMessage) =>
        new(SHA256.HashData([.. sender.Bytes, .. sealedMessage]).AsSpan(0, 16));
}
