using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// Sender keys: each member encrypts with a key chain of its own and hands it to every other member
/// sealed to that member's published agreement key. A new key whenever anyone joins or leaves means a
/// member who left cannot read what follows and one who joins cannot read what came before. Keys are
/// kept in the store and acknowledged to the hub (which holds them until then); a member that holds a
/// message it cannot open asks the key's owner, which answers from that message on if the asker was in
/// the room when it was sent.
/// </summary>
internal sealed class RoomKeys(NodeIdentity identity, AgreementKey agreement, IHubChannel channel, VerifiedDirectory directory, NodeStore store,
    RoomAdmission admission, TimeProvider time, ILoggerFactory loggerFactory)
{
    /// <summary>Key requests one member may make of us per room in <see cref="RequestWindow"/>; more are ignored. 20.</summary>
    public const int MaxRequestsPerWindow = 20;

    /// <summary>How long a key may be on its way before we ask its owner. 1.5 s.</summary>
    public static readonly TimeSpan AskAfter = TimeSpan.FromSeconds(1.5);

    /// <summary>How long we wait for an answer before asking again. 5 s.</summary>
    public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Keys asked for in one go, per room; the rest wait for the next round. Under the hub's request
    /// allowance, so many keys missing at once (a sender that rekeyed often while we were away) never
    /// gets our link closed for asking. 8.
    /// </summary>
    public const int MaxAsksAtOnce = 8;

    private static readonly TimeSpan RequestWindow = TimeSpan.FromSeconds(10);
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");
    private readonly Dictionary<(string Room, DeviceId Member), (DateTimeOffset Since, int Count)> _requests = [];
    private long _refused;

    /// <summary>Key requests refused since start (not a member, not in the room for that message, too many).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Seals what we say next with our current key, after waiting for (or starting) a new one when there is
    /// none; null when no key could be handed out (the hub link is down).
    /// </summary>
    public async Task<byte[]?> SealWithMyKeyAsync(RoomState state, Func<SenderKey, byte[]> seal)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Task rekeying;
            (int Generation, TaskCompletionSource Done)? started = null;
            lock (state.Lock)
            {
                if (state.MyKey is { Spent: false } key)
                {
                    return seal(key); // under the lock: no newer key can take over between the check and the seal
                }
                // Started under the same lock that saw no key: two sends at once start one rekey, not two
                // (the second would have made the first key useless before it was ever used).
                if (state.Rekeying.IsCompleted)
                {
                    started = BeginRekey(state);
                }
                rekeying = state.Rekeying;
            }
            await (started is { } run ? FinishRekeyAsync(state, run.Generation, run.Done) : rekeying).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>
    /// A new sender key for us in this room, kept, and sealed to each other member's agreement key. The
    /// key in use is dropped at once (a member may just have left), and the new one is used only once it
    /// has gone to everyone.
    /// </summary>
    public Task RekeyAsync(RoomState state)
    {
        (int Generation, TaskCompletionSource Done) run;
        lock (state.Lock)
        {
            run = BeginRekey(state);
        }
        return FinishRekeyAsync(state, run.Generation, run.Done);
    }

    /// <summary>Drops the key in use and marks a rekey under way; the caller holds <c>state.Lock</c>.</summary>
    private static (int Generation, TaskCompletionSource Done) BeginRekey(RoomState state)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        state.MyKey = null;
        state.Rekeying = done.Task;
        return (++state.KeyGeneration, done);
    }

    private async Task FinishRekeyAsync(RoomState state, int generation, TaskCompletionSource done)
    {
        try
        {
            await MakeAndHandAsync(state, generation).ConfigureAwait(false);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private async Task MakeAndHandAsync(RoomState state, int generation)
    {
        var key = SenderKey.CreateRandom();
        await store.SaveRoomKeyAsync(state.Name, new StoredRoomKey(identity.DeviceId.Compact, key.KeyId, 1, key.FirstLink)).ConfigureAwait(false);
        List<DeviceId> others;
        lock (state.Lock)
        {
            state.MyKeys[key.KeyId] = key; // answerable from now on, though nothing is sealed under it yet
            others = [.. state.Members.Keys.Where(m => m != identity.DeviceId)];
        }
        // Only to members admitted on an owner's word (RoomAdmission logs and counts the others): the hub cannot add a reader.
        others.RemoveAll(member => !admission.MayReceiveKey(state, member));
        var item = SenderKeyItem.Of(state.Name, key);
        var handed = true;
        foreach (var member in others)
        {
            handed &= await HandAsync(state.Name, member, item).ConfigureAwait(false);
        }
        lock (state.Lock)
        {
            state.HandedTo[key.KeyId] = [.. others];
        }
        // Only now may messages go out under it: the keys went first on the same link, so a hub that has a
        // message has every key that opens it and holds them for members that are away. Switching before
        // the (awaited) hand-outs let a message overtake its key, and a sender killed in between left
        // members with messages nobody could open for them. Not at all if the hub link was down for some of
        // them (the next send makes another), nor if a newer key was started meanwhile (membership changed).
        lock (state.Lock)
        {
            if (handed && state.KeyGeneration == generation)
            {
                state.MyKey = key;
            }
        }
    }

    /// <summary>
    /// The hub placed our message (key <paramref name="keyId"/>, <paramref name="counter"/>) at
    /// <paramref name="seq"/>: members who joined before that place but never got that key (we sealed it
    /// before we heard of their join) get it now, from that message on — without it they would have to ask,
    /// and could not once we were gone or they had left.
    /// </summary>
    public async Task HandToLateJoinersAsync(RoomState state, uint keyId, ulong counter, ulong seq)
    {
        SenderKey? key;
        List<DeviceId> lacking;
        lock (state.Lock)
        {
            if (!state.HandedTo.TryGetValue(keyId, out var handed) || !state.MyKeys.TryGetValue(keyId, out key))
            {
                return; // a key of an earlier run: its messages are posted again with their key (HandAgainAsync)
            }
            lacking = [.. state.Members.Keys.Where(m => m != identity.DeviceId && !handed.Contains(m)
                && state.Receipts.TryGetValue(m, out var receipt) && receipt.Joined < seq)];
        }
        await HandFromAsync(state, key, counter, lacking).ConfigureAwait(false);
    }

    /// <summary>
    /// We read that <paramref name="member"/> joined at <paramref name="joined"/>: any message of ours the
    /// hub placed after that under a key it never got is its to read, so the key goes to it from there.
    /// </summary>
    public async Task HandToJoinerAsync(RoomState state, DeviceId member, ulong joined)
    {
        lock (state.Lock)
        {
            // Only a member still in the room by this very join: one that left since gets nothing of what followed.
            if (member == identity.DeviceId || !state.Members.ContainsKey(member)
                || !state.Receipts.TryGetValue(member, out var receipt) || receipt.Joined != joined)
            {
                return;
            }
        }
        foreach (var (keyId, counter) in await store.OwnKeysPlacedAfterAsync("#" + state.Name, (long)joined).ConfigureAwait(false))
        {
            SenderKey? key;
            lock (state.Lock)
            {
                if (!state.MyKeys.TryGetValue(keyId, out key) || (state.HandedTo.TryGetValue(keyId, out var handed) && handed.Contains(member)))
                {
                    continue;
                }
            }
            await HandFromAsync(state, key, counter, [member]).ConfigureAwait(false);
        }
    }

    private async Task HandFromAsync(RoomState state, SenderKey key, ulong counter, List<DeviceId> members)
    {
        members.RemoveAll(member => !admission.MayReceiveKey(state, member));
        if (members.Count == 0)
        {
            return;
        }
        var item = new SenderKeyItem(state.Name, key.KeyId, counter, key.LinkAt(counter));
        var handedNow = new List<DeviceId>(members.Count);
        foreach (var member in members)
        {
            if (await HandAsync(state.Name, member, item).ConfigureAwait(false))
            {
                handedNow.Add(member); // one that found the link down is tried again next time
            }
        }
        lock (state.Lock)
        {
            if (state.HandedTo.TryGetValue(key.KeyId, out var handed))
            {
                handed.UnionWith(handedNow);
            }
        }
    }

    /// <summary>
    /// Before a message the hub never confirmed is posted again: its key goes again, from that message on,
    /// to every member now (the first hand-out may have been lost with the link). Members that hold it
    /// already just acknowledge it.
    /// </summary>
    public async Task HandAgainAsync(RoomState state, uint keyId, ulong fromCounter)
    {
        SenderKey? key;
        List<DeviceId> others;
        lock (state.Lock)
        {
            state.MyKeys.TryGetValue(keyId, out key);
            others = [.. state.Members.Keys.Where(m => m != identity.DeviceId)];
        }
        if (key is not null)
        {
            await HandFromAsync(state, key, fromCounter, others).ConfigureAwait(false);
        }
    }

    /// <summary>Seals the key to the member and sends it to the hub; false only when the hub link was down (a member with no directory entry asks later).</summary>
    private async Task<bool> HandAsync(string room, DeviceId member, SenderKeyItem item)
    {
        if (await directory.TryFindAsync(member).ConfigureAwait(false) is { } entry)
        {
            var sealedItem = MailboxSeal.Seal(identity, member, entry.AgreementKey, item.ToArray(), SealPurpose.RoomKey);
            return channel.TrySend(FrameType.RoomKey, new RoomKey(room, identity.DeviceId, member, item.KeyId, sealedItem));
        }
        RoomsLog.NoKey(_logger, member.Short, room);
        return true;
    }

    /// <summary>Keeps a key sealed to us by the member it names, acknowledges it to the hub; true when it is new to us.</summary>
    public async Task<bool> AcceptAsync(RoomState state, RoomKey key)
    {
        if (key.To != identity.DeviceId
            || !MailboxSeal.TryOpen(key.Item, agreement, identity.DeviceId, SealPurpose.RoomKey, out var sealedBy, out var plaintext, out _)
            || sealedBy != key.From || !WireMessage.TryRead<SenderKeyItem>(plaintext, out var item, out _) || item.Room != state.Name
            || item.KeyId != key.KeyId)
        {
            if (key.To == identity.DeviceId)
            {
                lock (state.Lock)
                {
                    state.Dropped++; // sealed to us but does not open as its sender's key for this room: forged or damaged
                }
                RoomsLog.KeyDropped(_logger, key.From.Short, state.Name);
            }
            return false;
        }
        bool isNew;
        lock (state.Lock)
        {
            // A key that opens from an earlier message replaces one that opens from a later one, never the other way.
            isNew = !state.Keys.TryGetValue((key.From, item.KeyId), out var held) || held.Start > item.Start;
            if (isNew)
            {
                state.Keys[(key.From, item.KeyId)] = new HeldSenderKey(item.Start, item.Link);
                state.Waiting.Remove((key.From, item.KeyId));
            }
        }
        if (isNew)
        {
            await store.SaveRoomKeyAsync(state.Name, new StoredRoomKey(key.From.Compact, item.KeyId, item.Start, item.Link)).ConfigureAwait(false);
        }
        channel.TrySend(FrameType.RoomKeyAck, new RoomKeyRef(state.Name, key.From, identity.DeviceId, key.KeyId, 0));
        return isNew;
    }

    /// <summary>
    /// A member asks for one of our keys from message <c>Counter</c> on. It gets it only if it is a member
    /// now, the message is ours under that key, and the hub placed that message after the member joined;
    /// and only so often.
    /// </summary>
    public async Task AnswerAsync(RoomState state, RoomKeyRef request)
    {
        SenderKey? key;
        RoomReceipt asker;
        bool member;
        lock (state.Lock)
        {
            member = state.Members.ContainsKey(request.Member) && admission.MayReceiveKey(state, request.Member);
            state.MyKeys.TryGetValue(request.KeyId, out key);
            state.Receipts.TryGetValue(request.Member, out asker);
        }
        var seq = key is null ? null : await store.OwnRoomSeqAsync("#" + state.Name, request.KeyId, request.Counter).ConfigureAwait(false);
        if (request.Owner != identity.DeviceId || !member || key is null || seq is null || asker.Member != request.Member
            || (ulong)seq.Value <= asker.Joined || !TakeRequest(state.Name, request.Member))
        {
            Interlocked.Increment(ref _refused);
            RoomsLog.KeyRequestRefused(_logger, request.Member.Short, state.Name, request.KeyId);
            return;
        }
        await HandAsync(state.Name, request.Member, new SenderKeyItem(state.Name, key.KeyId, request.Counter, key.LinkAt(request.Counter))).ConfigureAwait(false);
    }

    private bool TakeRequest(string room, DeviceId member)
    {
        var now = time.GetUtcNow();
        lock (_requests)
        {
            var (since, count) = _requests.GetValueOrDefault((room, member), (now, 0));
            if (now - since > RequestWindow)
            {
                (since, count) = (now, 0);
            }
            _requests[(room, member)] = (since, count + 1);
            return count < MaxRequestsPerWindow;
        }
    }

    /// <summary>A message under a key we do not hold: note it, so the key's owner is asked if the key does not come by itself.</summary>
    public void NoteMissing(RoomState state, DeviceId sender, uint keyId, ulong counter)
    {
        lock (state.Lock)
        {
            if (state.Waiting.TryGetValue((sender, keyId), out var waiting))
            {
                waiting.Counter = Math.Min(waiting.Counter, counter);
            }
            else
            {
                state.Waiting[(sender, keyId)] = new WaitingKey(counter, time.GetUtcNow());
            }
        }
    }

    /// <summary>
    /// Asks the owners of keys we have waited for long enough (and not asked lately). Returns the
    /// members whose waiting messages should simply be opened again: we hold their key by now (it came
    /// while the sender's directory entry could not be fetched, say), so there is nothing to ask.
    /// </summary>
    public List<DeviceId> AskForMissing(RoomState state, bool now = false)
    {
        var clock = time.GetUtcNow();
        List<RoomKeyRef> asks = [];
        List<DeviceId> retry = [];
        lock (state.Lock)
        {
            foreach (var ((sender, keyId), waiting) in state.Waiting)
            {
                if (state.Keys.TryGetValue((sender, keyId), out var held) && held.Start <= waiting.Counter)
                {
                    retry.Add(sender);
                }
                else if (asks.Count < MaxAsksAtOnce
                    && (now || (clock - waiting.Since >= AskAfter && (waiting.Asked is not { } asked || clock - asked >= AskAgainAfter))))
                {
                    waiting.Asked = clock;
                    waiting.Asks++;
                    asks.Add(new RoomKeyRef(state.Name, sender, identity.DeviceId, keyId, waiting.Counter));
                }
            }
        }
        foreach (var ask in asks)
        {
            channel.TrySend(FrameType.RoomKeyRequest, ask);
        }
        return [.. retry.Distinct()];
    }

    /// <summary>Whether any message from <paramref name="sender"/> waits for a key.</summary>
    public static bool IsWaitingFor(RoomState state, DeviceId sender)
    {
        lock (state.Lock)
        {
            return state.Waiting.Keys.Any(k => k.Member == sender);
        }
    }
}
