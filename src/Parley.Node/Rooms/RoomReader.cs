using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Parley.Core.Attachments;
using Parley.Core.Chat;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Attachments;
using Parley.Node.Chat;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// Reads a room's log in order, a run of entries at a time: each message opened with its sender's key
/// (signatures checked against the sender's published identity key, on every core) and stored at its
/// place, the run in one commit; one whose key has not come is stored sealed as "waiting for key" (and
/// the key asked for), and opened in place when the key comes; notices keep the member list, and a
/// run with live ones gets one new key of ours.
/// </summary>
internal sealed class RoomReader(NodeIdentity identity, IHubChannel channel, VerifiedDirectory directory, NodeStore store, RoomKeys keys,
    RoomNotices notices, RoomChat chat, EventHub events, AttachmentBook attachments, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");

    /// <summary>The hub says where our part of the log starts and ends: what is before its head now is catch-up.</summary>
    public void Synced(RoomState state, RoomSyncState sync)
    {
        lock (state.Lock)
        {
            state.SyncHead = sync.Head;
            state.Resyncing = false;
            state.FirstCaughtUp = null;
            if (sync.Head < state.Position)
            {
                // The hub's log is behind what we read (it runs without one, `--room-log off`, or lost it): its
                // numbering starts again, and ignoring everything below our old position would lose it all.
                // (A hub sends a sync state after every entry below its head, so this never undoes a real read.)
                state.Position = state.Acked = sync.Head;
            }
            if (state.Position + 1 < sync.Joined)
            {
                state.Position = state.Acked = sync.Joined - 1; // (re)joined: nothing before our join is ours
            }
        }
    }

    /// <summary>Storing a run failed: read the room again from what is stored, ignoring what is already on its way.</summary>
    public void Resync(RoomState state)
    {
        ulong position;
        lock (state.Lock)
        {
            state.Resyncing = true;
            position = state.Position;
        }
        channel.TrySend(FrameType.RoomSync, new RoomPosition(state.Name, position)); // if the link is down, the rejoin after it syncs
    }

    /// <summary>One entry to store, in log order: what row it becomes, and what to do once stored.</summary>
    private sealed record Pending(RoomEntry Entry, RoomRow? Row, RoomNotice? Notice, bool Live);

    /// <summary>Reads a run of entries of one room (in log order), storing them in one commit.</summary>
    public async Task ReadAsync(RoomState state, IReadOnlyList<RoomEntry> entries)
    {
        var fresh = new List<(RoomEntry Entry, bool Live)>(entries.Count);
        lock (state.Lock)
        {
            if (state.Resyncing)
            {
                return; // sent again after the sync state we wait for
            }
            var position = state.Position;
            foreach (var entry in entries)
            {
                if (entry.Seq > position)
                {
                    fresh.Add((entry, entry.Seq > state.SyncHead));
                    position = entry.Seq;
                }
            }
        }
        if (fresh.Count == 0)
        {
            return;
        }
        var opened = await OpenAllAsync(state, [.. fresh.Where(f => f.Entry.Kind == RoomEntryKind.Message && f.Entry.Sender != identity.DeviceId)
            .Select(f => f.Entry)]).ConfigureAwait(false);
        var pending = new List<Pending>(fresh.Count);
        foreach (var (entry, live) in fresh)
        {
            pending.Add(entry.Kind switch
            {
                RoomEntryKind.Message when entry.Sender == identity.DeviceId => new Pending(entry, null, null, live), // ours: stored when we sent it
                RoomEntryKind.Message => MessageRow(state, entry, live, opened[entry.Seq]),
                RoomEntryKind.Notice when WireMessage.TryRead<RoomNotice>(entry.Body, out var notice, out _) =>
                    await NoticeRowAsync(state, entry, notice, live).ConfigureAwait(false),
                RoomEntryKind.Gap when entry.Body.Length == 16 => GapRow(state, entry, live),
                _ => new Pending(entry, null, null, live),
            });
        }
        var rows = pending.Where(p => p.Row is not null).ToList();
        var stored = await store.InsertRoomRowsAsync("#" + state.Name, [.. rows.Select(p => p.Row!)]).ConfigureAwait(false);
        for (var i = 0; i < rows.Count; i++)
        {
            if (stored[i] is { } record)
            {
                Published(state, rows[i], record);
            }
        }
        lock (state.Lock)
        {
            state.Position = Math.Max(state.Position, fresh[^1].Entry.Seq);
        }
        // The rekey first: if a hand-out below fails, the position has moved, and a leave must not go unanswered.
        if (pending.Any(p => p.Live && p.Notice is { } n && n.Member != identity.DeviceId && RoomNotices.ChangesKeys(n)))
        {
            await keys.RekeyAsync(state).ConfigureAwait(false);
        }
        foreach (var joined in pending.Where(p => p.Live && p.Notice is { Kind: RoomNoticeKind.Joined }))
        {
            await keys.HandToJoinerAsync(state, joined.Notice!.Member, joined.Entry.Seq).ConfigureAwait(false);
        }
    }

    /// <summary>The result of opening one message: its text, or that its key is missing, or that it did not check out.</summary>
    private readonly record struct Opening(ChatMessage? Message, bool KeyMissing, uint KeyId, ulong Counter)
    {
        /// <summary>An attachment's message: its reference (the message is its caption).</summary>
        public AttachmentRef? Attachment { get; init; }
    }

    /// <summary>Opens every message it can, on every core: the signature checks are most of the work of catching up.</summary>
    private async Task<Dictionary<ulong, Opening>> OpenAllAsync(RoomState state, List<RoomEntry> messages)
    {
        var verifierKeys = new Dictionary<DeviceId, byte[]>();
        foreach (var sender in messages.Select(m => m.Sender).Distinct())
        {
            if (await directory.TryFindAsync(sender).ConfigureAwait(false) is { } entry)
            {
                verifierKeys[sender] = entry.IdentityKey;
            }
        }
        var results = new Opening[messages.Count];
        Parallel.For(0, messages.Count, () => new Dictionary<DeviceId, ECDsa?>(), (i, _, verifiers) =>
        {
            results[i] = Open(state, messages[i], verifierKeys, verifiers);
            return verifiers;
        }, verifiers =>
        {
            foreach (var verifier in verifiers.Values)
            {
                verifier?.Dispose();
            }
        });
        return messages.Select((m, i) => (m.Seq, results[i])).ToDictionary(x => x.Seq, x => x.Item2);
    }

    private static Opening Open(RoomState state, RoomEntry entry, Dictionary<DeviceId, byte[]> verifierKeys, Dictionary<DeviceId, ECDsa?> verifiers)
    {
        if (!RoomCrypto.TryReadKeyId(entry.Body, out var keyId, out var counter))
        {
            return new Opening(null, false, 0, 0);
        }
        HeldSenderKey? key;
        lock (state.Lock)
        {
            state.Keys.TryGetValue((entry.Sender, keyId), out key);
        }
        if (!verifierKeys.ContainsKey(entry.Sender))
        {
            // No directory entry to check the signature with (the hub could not be asked): kept and tried again.
            return new Opening(null, true, keyId, counter);
        }
        if (!verifiers.TryGetValue(entry.Sender, out var verifier))
        {
            verifiers[entry.Sender] = verifier = verifierKeys.TryGetValue(entry.Sender, out var identityKey) ? RoomCrypto.TryVerifier(entry.Sender, identityKey) : null;
        }
        if (key is null || counter < key.Start)
        {
            // Kept and its key asked for only if its sender signed it: made-up key IDs must not set us asking.
            return new Opening(null, verifier is not null && RoomCrypto.IsSignedBy(entry.Body, state.Name, entry.Sender, verifier), keyId, counter);
        }
        if (verifier is null || !RoomCrypto.TryOpenMessage(entry.Body, state.Name, entry.Sender, verifier, key, out var plaintext))
        {
            return new Opening(null, false, keyId, counter);
        }
        if (RoomAttachment.TryRead(plaintext, out var attachment))
        {
            return new Opening(new ChatMessage(attachment.Id, attachment.SentAt, attachment.Caption), false, keyId, counter) { Attachment = attachment };
        }
        return WireMessage.TryRead<ChatMessage>(plaintext, out var message, out _)
            ? new Opening(message, false, keyId, counter)
            : new Opening(null, false, keyId, counter);
    }

    private Pending MessageRow(RoomState state, RoomEntry entry, bool live, Opening opening)
    {
        if (opening.Message is { } message)
        {
            RememberAttachment(state, opening);
            return new Pending(entry, new RoomRow(message.Id, message.Text, message.SentAt, entry.Sender.Compact, (long)entry.Seq, MessageState.Received), null, live);
        }
        if (opening.KeyMissing)
        {
            keys.NoteMissing(state, entry.Sender, opening.KeyId, opening.Counter);
            return new Pending(entry, new RoomRow(PlaceholderId(entry.Sender, entry.Body), "", entry.At, entry.Sender.Compact, (long)entry.Seq,
                MessageState.WaitingForKey, entry.Body), null, live);
        }
        Drop(state, entry.Sender);
        return new Pending(entry, null, null, live);
    }

    private async Task<Pending> NoticeRowAsync(RoomState state, RoomEntry entry, RoomNotice notice, bool live)
    {
        var text = await notices.ApplyAsync(state, notice, entry.Seq).ConfigureAwait(false);
        return new Pending(entry, text is null ? null : NoticeOf(state.Name, entry, text, notice.Member.Compact), notice, live);
    }

    private static Pending GapRow(RoomState state, RoomEntry entry, bool live)
    {
        var dropped = BinaryPrimitives.ReadUInt64BigEndian(entry.Body.AsSpan(8)) - BinaryPrimitives.ReadUInt64BigEndian(entry.Body) + 1;
        var text = $"{dropped} older entries of #{state.Name} were dropped by the hub's retention before you got them";
        return new Pending(entry, NoticeOf(state.Name, entry, text, ""), null, live);
    }

    /// <summary>A notice's row: its ID fixed by its place in the log, so it is stored once however often it is read.</summary>
    private static RoomRow NoticeOf(string room, RoomEntry entry, string text, string member) =>
        new(new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"notice:{room}:{entry.Seq}")).AsSpan(0, 16)), text, entry.At, member, (long)entry.Seq,
            MessageState.Notice);

    private void Published(RoomState state, Pending pending, MessageRecord record)
    {
        if (!pending.Live && pending.Notice is null && record.State != MessageState.Notice)
        {
            lock (state.Lock)
            {
                state.FirstCaughtUp ??= record.Id;
            }
        }
        if (pending.Notice is { } notice)
        {
            events.Publish(RoomsEvents.Notice, () => new RoomNoticeEvent("#" + state.Name, notice.Member.ToString(), notice.Name, notice.Kind == RoomNoticeKind.Joined)
            {
                Kind = notice.Kind, Text = record.Text,
            });
        }
        events.Publish(ChatEvents.Message, () => chat.View(record));
    }

    /// <summary>A key from <paramref name="sender"/> came: the messages that waited for it open in place.</summary>
    public async Task RetryWaitingAsync(RoomState state, DeviceId sender)
    {
        lock (state.Lock)
        {
            // Noted again below for whatever still does not open.
            foreach (var stale in state.Waiting.Keys.Where(k => k.Member == sender).ToList())
            {
                state.Waiting.Remove(stale);
            }
        }
        var waiting = (await store.WaitingAsync("#" + state.Name).ConfigureAwait(false)).Where(w => w.Sender == sender.Compact).ToList();
        if (waiting.Count == 0)
        {
            return;
        }
        var entries = waiting.Select(w => new RoomEntry(state.Name, (ulong)w.RoomSeq, w.At, RoomEntryKind.Message, sender, w.Sealed)).ToList();
        var opened = await OpenAllAsync(state, entries).ConfigureAwait(false);
        var readable = new List<(Guid, Guid, string, DateTimeOffset)>();
        for (var i = 0; i < waiting.Count; i++)
        {
            switch (opened[entries[i].Seq])
            {
                case { Message: { } message } opening:
                    RememberAttachment(state, opening);
                    readable.Add((waiting[i].Id, message.Id, message.Text, message.SentAt));
                    lock (state.Lock)
                    {
                        if (state.FirstCaughtUp == waiting[i].Id)
                        {
                            state.FirstCaughtUp = message.Id; // the unread marker follows the message as it takes its real ID
                        }
                    }
                    break;
                case { KeyMissing: true } missing:
                    keys.NoteMissing(state, sender, missing.KeyId, missing.Counter); // a later link of the key than this message needs: ask from here
                    break;
                default:
                    Drop(state, sender);
                    break;
            }
        }
        foreach (var record in await store.OpenWaitingAsync(readable).ConfigureAwait(false))
        {
            events.Publish(ChatEvents.Message, () => chat.View(record));
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

    /// <summary>Tells the hub (and the store) how far we have read.</summary>
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

    /// <summary>An attachment's reference is kept before its message is stored, so the message's first view shows it.</summary>
    private void RememberAttachment(RoomState state, Opening opening)
    {
        if (opening.Attachment is { } attachment)
        {
            attachments.Remember(new AttachmentEntry(attachment.Id, "#" + state.Name, false, attachment));
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
