using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>Where a cluster hub's rooms' logs are kept: every hub appends there and reads every entry back (none on a single hub).</summary>
internal interface IRoomLogShare
{
    /// <summary>Appends an entry as the room's next; completes with its stream sequence once the cluster holds it, or throws <see cref="InvalidOperationException"/> with why not.</summary>
    Task<ulong> AppendAsync(string room, RoomEntryKind kind, DeviceId sender, byte[] body, DateTimeOffset at);

    void HoldKey(RoomKey key, byte[] frame);

    /// <summary>The recipient (<see cref="RoomKeyRef.Member"/>) stored the owner's key.</summary>
    void ReleaseKey(RoomKeyRef key);
}

/// <summary>
/// A cluster hub's side of the room log: its writer appends to the shared log (which numbers the
/// entries) and answers a poster only once the entry is read back and handed to the members reading
/// here, as a single hub does once it is on disk. Entries read back — this hub's and the others' —
/// go into the hub's own store (so catch-up and retention work as on a single hub) and to readers.
/// </summary>
internal sealed partial class RoomLog
{
    /// <summary>Entries read back kept by stream sequence → room seq, for answering a poster whose entry was read back before its append returned. 65,536.</summary>
    private const int MaxRecent = 65_536;

    private readonly Dictionary<ulong, Draft> _awaiting = [];
    private readonly Dictionary<ulong, ulong> _recent = [];
    private readonly Queue<ulong> _recentOrder = new();

    /// <summary>Each room's last seq as numbered when read back since start (see <see cref="ApplyShared"/>).</summary>
    private readonly Dictionary<string, ulong> _numbered = new(StringComparer.Ordinal);
    private ulong _appliedStream;

    /// <summary>The cluster's log, or null on a single hub. Set before the first member comes.</summary>
    public IRoomLogShare? Share { get; set; }

    /// <summary>
    /// Batches whose appends are out waiting for NATS's acknowledgements while the writer goes on with the next. 8.
    /// The writer used to wait for each batch's acknowledgements (an R3 commit) before sending the next: under a
    /// burst every post queued behind that round trip as well as behind the fan-out.
    /// </summary>
    private const int MaxBatchesInFlight = 8;

    private readonly SemaphoreSlim _inFlight = new(MaxBatchesInFlight, MaxBatchesInFlight);

    /// <summary>
    /// Appends the batch's accepted drafts all at once, in order (one NATS connection keeps it), and returns once they are
    /// sent; each is answered once read back, by a task of its own that waits for their acknowledgements.
    /// </summary>
    private async Task WriteSharedAsync(List<Draft> batch)
    {
        await _inFlight.WaitAsync().ConfigureAwait(false);
        var appends = new List<(Draft Draft, Task<ulong> StreamSeq)>(batch.Count);
        try
        {
            var now = _options.TimeProvider.GetUtcNow();
            foreach (var draft in batch)
            {
                lock (_lock)
                {
                    if (draft.Kind == RoomEntryKind.Message && Refusal(Tail(draft.Room), draft) is { } refusal)
                    {
                        Refuse(draft, refusal);
                        continue;
                    }
                }
                appends.Add((draft, Share!.AppendAsync(draft.Room, draft.Kind, draft.Sender, draft.Body, now)));
            }
        }
        catch
        {
            _inFlight.Release();
            throw;
        }
        _ = AnswerWhenStoredAsync(appends);
    }

    private async Task AnswerWhenStoredAsync(List<(Draft Draft, Task<ulong> StreamSeq)> appends)
    {
        var answered = 0;
        try
        {
            for (; answered < appends.Count; answered++)
            {
                var (draft, append) = appends[answered];
                ulong streamSeq;
                try
                {
                    streamSeq = await append.ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    Refuse(draft, e.Message);
                    continue;
                }
                ulong seq;
                lock (_lock)
                {
                    if (_appliedStream < streamSeq)
                    {
                        _awaiting[streamSeq] = draft;
                        continue;
                    }
                    seq = _recent.GetValueOrDefault(streamSeq);
                }
                if (seq == 0)
                {
                    Refuse(draft, "the cluster lost track of it; try again");
                    continue;
                }
                Answer(draft, seq);
            }
        }
        catch (Exception e)
        {
            HubLog.RoomLogFailed(_logger, e.Message);
            foreach (var (draft, _) in appends.Skip(answered))
            {
                Refuse(draft, "the hub could not store it; try again");
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private static void Answer(Draft draft, ulong seq)
    {
        draft.Poster?.Send(FrameType.RoomPosted, new RoomPosted(draft.PostId, seq, null));
        draft.Done?.TrySetResult(seq);
    }

    /// <summary>
    /// Entries read back from the cluster's log, in stream order, each with its stream sequence. Each is
    /// numbered here: its proposed seq, or the room's next if another entry took that number (NATS 2.9
    /// lets two concurrent appends pass the same expected-last check in a replicated stream); every hub
    /// reads the same order, so every hub gives the same numbers. A new one is stored here, handed to the
    /// members reading live, and its poster answered; a notice that someone left forgets them first, one
    /// that someone joined gives them their place after (as on a single hub). Ones held already are skipped.
    /// </summary>
    public void ApplyShared(IReadOnlyList<(StoredEntry Entry, ulong StreamSeq)> read)
    {
        var fresh = new List<StoredEntry>(read.Count);
        var streamSeqs = new List<ulong>(read.Count);
        var rooms = new HashSet<string>(StringComparer.Ordinal);
        var before = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var numberedBefore = new Dictionary<string, ulong>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var (proposed, streamSeq) in read)
            {
                numberedBefore.TryAdd(proposed.Room, _numbered.GetValueOrDefault(proposed.Room));
                var seq = Math.Max(proposed.Seq, _numbered.GetValueOrDefault(proposed.Room) + 1);
                _numbered[proposed.Room] = seq;
                _appliedStream = Math.Max(_appliedStream, streamSeq);
                Remember(streamSeq, seq);
                var entry = proposed with { Seq = seq };
                var tail = Tail(entry.Room);
                if (entry.Seq <= tail.Head)
                {
                    continue;
                }
                streamSeqs.Add(streamSeq);
                before.TryAdd(entry.Room, tail.Head);
                tail.Head = entry.Seq;
                tail.AddBytes(entry.Sender, entry.Body.Length);
                fresh.Add(entry);
                rooms.Add(entry.Room);
            }
        }
        if (fresh.Count == 0)
        {
            return;
        }
        if (_options.RoomLog)
        {
            try
            {
                _store.Append(fresh, Bounds(rooms));
            }
            catch
            {
                Unwind(before, fresh); // not stored: read again, numbered again from where it was
                lock (_lock)
                {
                    foreach (var (room, numbered) in numberedBefore)
                    {
                        _numbered[room] = numbered;
                    }
                }
                throw;
            }
        }
        for (var i = 0; i < fresh.Count; i++)
        {
            var entry = fresh[i];
            var kind = NoticeKind(entry);
            if (kind is RoomNoticeKind.Left or RoomNoticeKind.Removed)
            {
                Forget(entry.Room, entry.Sender);
            }
            Draft? draft;
            lock (_lock)
            {
                var tail = Tail(entry.Room);
                tail.Committed = entry.Seq;
                HandToLiveReaders(tail, entry);
                if (!_options.RoomLog)
                {
                    tail.AddBytes(entry.Sender, -entry.Body.Length);
                }
                _awaiting.Remove(streamSeqs[i], out draft);
            }
            if (kind == RoomNoticeKind.Joined)
            {
                Admit(entry.Room, entry.Sender, entry.Seq);
            }
            if (draft is not null)
            {
                Answer(draft, entry.Seq);
            }
        }
        List<string> overflowing;
        lock (_lock)
        {
            overflowing = [.. rooms.Where(room => Tail(room).Bytes > _options.RoomLogMaxBytesPerRoom)];
        }
        foreach (var room in overflowing)
        {
            DropOldest(room);
        }
    }

    private void Remember(ulong streamSeq, ulong seq)
    {
        if (_recent.TryAdd(streamSeq, seq))
        {
            _recentOrder.Enqueue(streamSeq);
        }
        while (_recentOrder.Count > MaxRecent)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }
    }

    private void Unwind(Dictionary<string, ulong> heads, List<StoredEntry> entries)
    {
        lock (_lock)
        {
            foreach (var (room, head) in heads)
            {
                Tail(room).Head = head;
            }
            foreach (var entry in entries)
            {
                Tail(entry.Room).AddBytes(entry.Sender, -entry.Body.Length);
            }
        }
    }

    /// <summary>The last seq this hub holds of <paramref name="room"/> (0: none): a cluster append proposes the next.</summary>
    public ulong HeadOf(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var tail) ? tail.Head : 0;
        }
    }

    /// <summary>A notice's kind is its body's first byte (the notice's own encoding); null for anything else.</summary>
    private static RoomNoticeKind? NoticeKind(StoredEntry entry) =>
        entry.Kind == RoomEntryKind.Notice && entry.Body is [var kind, ..] ? (RoomNoticeKind)kind : null;

    /// <summary>A sealed key read back from the cluster: held here too, and handed over now if its recipient reads here.</summary>
    public void ApplyHeldKey(RoomKey key, byte[] frame)
    {
        if (_options.RoomLog)
        {
            _store.HoldKey(key, frame, _options.TimeProvider.GetUtcNow(), _options.RoomHeldKeysPerSender);
        }
        Reader(key.Room, key.To)?.Link.TrySend(FrameType.RoomKey, frame);
    }

    /// <summary>A recipient's acknowledgement read back from the cluster: the key is no longer held here either.</summary>
    public void ApplyReleasedKey(RoomKeyRef key)
    {
        if (_options.RoomLog)
        {
            _store.ReleaseKey(key.Room, key.Member, key.Owner, key.KeyId);
        }
    }
}
