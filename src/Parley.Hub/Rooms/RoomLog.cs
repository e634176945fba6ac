using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Every room's log: posts and notices get the room's next sequence number and are written to disk
/// in batches by one writer (so many members' posts share one flush), answered only once on disk, and
/// then handed to each member reading live. A member that was away reads from its last position on
/// (<see cref="RoomLog"/>.Readers), a window at a time, before going live, so it gets every entry in order.
/// </summary>
internal sealed partial class RoomLog : IAsyncDisposable
{
    /// <summary>Posts waiting for the writer, from all members; past it a post is refused as "busy". 65,536.</summary>
    public const int MaxWaiting = 65_536;

    /// <summary>Entries the writer puts in one transaction. 512.</summary>
    private const int MaxBatch = 512;

    private readonly RoomLogStore _store;
    private readonly HubOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RoomTail> _rooms = new(StringComparer.Ordinal);
    private readonly Channel<Draft> _drafts = Channel.CreateBounded<Draft>(new BoundedChannelOptions(MaxWaiting) { SingleReader = true });
    private readonly Task _writer;
    private readonly ITimer _receipts;
    private readonly ITimer _retention;
    private long _deliveries;

    public RoomLog(RoomLogStore store, HubOptions options, ILogger logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        foreach (var (room, bounds) in store.LoadBounds())
        {
            var tail = Tail(room);
            (tail.Head, tail.Committed, tail.Oldest) = (bounds.Head, bounds.Head, bounds.Oldest);
        }
        foreach (var (room, member, joined, position) in store.LoadPositions())
        {
            var tail = Tail(room);
            tail.Places[member] = new MemberPlace(joined, position);
            // Numbering never goes back, not even without a log (`--room-log off` keeps no bounds): members
            // would take new entries numbered below what they read for old ones.
            var seen = Math.Max(joined, position);
            if (tail.Head < seen)
            {
                (tail.Head, tail.Committed) = (seen, seen);
                tail.Oldest = Math.Max(tail.Oldest, seen + 1);
            }
        }
        foreach (var (room, sender, bytes) in store.LoadBytes())
        {
            Tail(room).AddBytes(sender, bytes);
        }
        _writer = Task.Run(WriteAsync);
        _receipts = options.TimeProvider.CreateTimer(_ => SendReceipts(), null, ReceiptsEvery, ReceiptsEvery);
        _retention = options.TimeProvider.CreateTimer(_ => DropExpired(), null, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>Entries handed to members since start.</summary>
    public long Deliveries => Interlocked.Read(ref _deliveries);

    /// <summary>An entry on its way to the writer: the poster to answer (a post) or the task to complete (a notice).</summary>
    private sealed record Draft(string Room, RoomEntryKind Kind, DeviceId Sender, byte[] Body, Member? Poster, uint PostId, TaskCompletionSource<ulong>? Done);

    /// <summary>Queues a member's sealed message; it is answered with a <see cref="RoomPosted"/> once stored (or refused).</summary>
    public void Post(Member poster, RoomMessage message)
    {
        if (!_drafts.Writer.TryWrite(new Draft(message.Room, RoomEntryKind.Message, poster.Id, message.SealedMessage, poster, message.PostId, null)))
        {
            poster.Send(FrameType.RoomPosted, new RoomPosted(message.PostId, 0, "the hub is too busy to take room messages right now; try again"));
        }
    }

    /// <summary>Appends a notice (someone came or went); completes with its seq once on disk.</summary>
    public Task<ulong> AnnounceAsync(string room, DeviceId about, RoomNotice notice)
    {
        var done = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_drafts.Writer.TryWrite(new Draft(room, RoomEntryKind.Notice, about, notice.ToArray(), null, 0, done)))
        {
            done.SetException(new InvalidOperationException("the hub is too busy to change rooms right now; try again"));
        }
        return done.Task;
    }

    /// <summary>A member joined at <paramref name="joinSeq"/> (its join notice): it reads from there on, never before.</summary>
    public void Admit(string room, DeviceId member, ulong joinSeq)
    {
        lock (_lock)
        {
            var tail = Tail(room);
            if (tail.Places.TryGetValue(member, out var place) && place.Joined == joinSeq)
            {
                return; // admitted already (a cluster hub admits on reading the join notice back too)
            }
            tail.Places[member] = new MemberPlace(joinSeq, joinSeq - 1);
            tail.Moved.Add(member); // the others learn where it joined (its messages' counts, and which keys it may ask for)
        }
        _store.SavePositions([(room, member, joinSeq, joinSeq - 1)]);
    }

    /// <summary>A member left: it gets nothing more, and the hub forgets its place and the keys it held for it.</summary>
    public void Forget(string room, DeviceId member)
    {
        lock (_lock)
        {
            var tail = Tail(room);
            tail.Places.Remove(member);
            tail.Readers.Remove(member);
            tail.Moved.Remove(member);
        }
        _store.Forget(room, member);
    }

    public bool HasPlace(string room, DeviceId member)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var tail) && tail.Places.ContainsKey(member);
        }
    }

    /// <summary>The member's link closed: it reads nothing until it syncs again.</summary>
    public void Disconnected(Member member)
    {
        lock (_lock)
        {
            foreach (var tail in _rooms.Values)
            {
                if (tail.Readers.TryGetValue(member.Id, out var reader) && reader.Member == member)
                {
                    tail.Readers.Remove(member.Id);
                }
            }
        }
    }

    private RoomTail Tail(string room)
    {
        if (!_rooms.TryGetValue(room, out var tail))
        {
            _rooms[room] = tail = new RoomTail(room);
        }
        return tail;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Draft>(MaxBatch);
        while (await _drafts.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _drafts.Reader.TryRead(out var draft))
            {
                batch.Add(draft);
            }
            try
            {
                if (Share is null)
                {
                    Write(batch);
                }
                else
                {
                    await WriteSharedAsync(batch).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                // The one writer of every room's log must outlive any failure (the disk, or a bug): the batch is
                // refused, its posters post again, and members that got part of it ignore the copies.
                HubLog.RoomLogFailed(_logger, e.Message);
                foreach (var draft in batch)
                {
                    Refuse(draft, "the hub could not store it; try again");
                }
            }
        }
    }

    /// <summary>Gives each draft its seq, writes them all in one transaction, then answers posters and hands entries to live readers, in order.</summary>
    private void Write(List<Draft> batch)
    {
        var now = _options.TimeProvider.GetUtcNow();
        var entries = new List<(StoredEntry Entry, Draft Draft)>(batch.Count);
        var before = new Dictionary<string, ulong>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var draft in batch)
            {
                var tail = Tail(draft.Room);
                if (draft.Kind == RoomEntryKind.Message && Refusal(tail, draft) is { } refusal)
                {
                    Refuse(draft, refusal);
                    continue;
                }
                before.TryAdd(draft.Room, tail.Head);
                tail.Head++;
                tail.AddBytes(draft.Sender, draft.Body.Length);
                entries.Add((new StoredEntry(draft.Room, tail.Head, now, draft.Kind, draft.Sender, draft.Body), draft));
            }
        }
        if (entries.Count == 0)
        {
            return;
        }
        if (_options.RoomLog)
        {
            try
            {
                _store.Append([.. entries.Select(e => e.Entry)], Bounds(before.Keys));
            }
            catch
            {
                lock (_lock)
                {
                    foreach (var (room, head) in before)
                    {
                        Tail(room).Head = head;
                    }
                    foreach (var (entry, _) in entries)
                    {
                        Tail(entry.Room).AddBytes(entry.Sender, -entry.Body.Length);
                    }
                }
                throw;
            }
        }
        List<string> overflowing;
        lock (_lock)
        {
            foreach (var (entry, draft) in entries)
            {
                var tail = Tail(entry.Room);
                tail.Committed = entry.Seq;
                HandToLiveReaders(tail, entry);
                if (!_options.RoomLog)
                {
                    tail.AddBytes(entry.Sender, -entry.Body.Length); // nothing kept, nothing counted
                }
                draft.Poster?.Send(FrameType.RoomPosted, new RoomPosted(draft.PostId, entry.Seq, null));
                draft.Done?.TrySetResult(entry.Seq);
            }
            overflowing = [.. before.Keys.Where(room => Tail(room).Bytes > _options.RoomLogMaxBytesPerRoom)];
        }
        foreach (var room in overflowing)
        {
            DropOldest(room);
        }
    }

    private string? Refusal(RoomTail tail, Draft draft)
    {
        if (!tail.Places.ContainsKey(draft.Sender))
        {
            return $"you are not in #{draft.Room}";
        }
        var mine = tail.BytesBySender.GetValueOrDefault(draft.Sender);
        return _options.RoomLog && mine + draft.Body.Length > _options.RoomLogMaxBytesPerMember
            ? $"you have {mine >> 20} MiB of messages kept in #{draft.Room}, the most one member may ({_options.RoomLogMaxBytesPerMember >> 20} MiB); "
                + "wait for the oldest to expire"
            : null;
    }

    private static void Refuse(Draft draft, string reason)
    {
        draft.Poster?.Send(FrameType.RoomPosted, new RoomPosted(draft.PostId, 0, reason));
        draft.Done?.TrySetException(new InvalidOperationException(reason));
    }

    private Dictionary<string, LogBounds> Bounds(IEnumerable<string> rooms)
    {
        lock (_lock)
        {
            return rooms.ToDictionary(room => room, room => new LogBounds(Tail(room).Head, Tail(room).Oldest), StringComparer.Ordinal);
        }
    }

    /// <summary>Hands a stored entry to every member reading live (the sender too: each member gets every seq, so its position can pass it).</summary>
    private void HandToLiveReaders(RoomTail tail, StoredEntry entry)
    {
        byte[]? frame = null;
        foreach (var reader in tail.Readers.Values)
        {
            if (reader.Live && reader.Sent == entry.Seq - 1)
            {
                frame ??= entry.ToEntry().ToArray();
                Hand(reader, frame);
                GrantRekeys(tail, reader, entry);
                reader.Sent = entry.Seq;
            }
        }
    }

    /// <summary>Sends one entry to a reader.</summary>
    private void Hand(LogReader reader, byte[] frame)
    {
        reader.Member.Link.TrySend(FrameType.RoomEntry, frame);
        Interlocked.Increment(ref _deliveries);
    }

    /// <summary>
    /// A live notice of another's change brings its reader credit for the sender keys it now owes the
    /// others. Only live ones: a node rekeys only for those, and notices replayed while catching up
    /// must not be a way to bank credit.
    /// </summary>
    private static void GrantRekeys(RoomTail tail, LogReader reader, StoredEntry entry)
    {
        // Body's first byte: the notice's kind (1 joined, 2 left, 3 removed); only those change who holds which key.
        if (entry.Kind == RoomEntryKind.Notice && entry.Sender != reader.Member.Id && entry.Body is [>= 1 and <= 3, ..])
        {
            // A new key for every other member: those in the room now (a joiner is admitted only once its notice is stored).
            var joinerToCome = entry.Body is [1, ..] && !tail.Places.ContainsKey(entry.Sender);
            reader.Member.Limits.GrantRekeys(tail.Places.Count - 1 + (joinerToCome ? 1 : 0));
        }
    }

    /// <summary>Retention by bytes: drops the oldest sixteenth of the room's log (at least 16 entries) until it fits.</summary>
    private void DropOldest(string room)
    {
        while (true)
        {
            ulong through;
            lock (_lock)
            {
                var tail = Tail(room);
                if (tail.Bytes <= _options.RoomLogMaxBytesPerRoom || tail.Oldest > tail.Committed)
                {
                    return;
                }
                through = Math.Min(tail.Committed, tail.Oldest + Math.Max(16, (tail.Committed - tail.Oldest) / 16));
            }
            Drop(room, through);
        }
    }

    /// <summary>Retention by age, once a minute.</summary>
    private void DropExpired()
    {
        try
        {
            List<string> rooms;
            lock (_lock)
            {
                rooms = [.. _rooms.Keys];
            }
            var cutoff = _options.TimeProvider.GetUtcNow() - _options.RoomLogMaxAge;
            foreach (var room in rooms)
            {
                var through = _store.LastBefore(room, cutoff);
                if (through > 0)
                {
                    Drop(room, through);
                }
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            HubLog.RoomLogFailed(_logger, e.Message);
        }
    }

    private void Drop(string room, ulong through)
    {
        LogBounds bounds;
        lock (_lock)
        {
            var tail = Tail(room);
            if (through < tail.Oldest)
            {
                return;
            }
            tail.Oldest = through + 1;
            bounds = new LogBounds(tail.Head, tail.Oldest);
        }
        var freed = _store.Prune(room, through, bounds);
        lock (_lock)
        {
            var tail = Tail(room);
            foreach (var (sender, bytes) in freed)
            {
                tail.AddBytes(sender, -bytes);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _drafts.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _receipts.DisposeAsync().ConfigureAwait(false);
        await _retention.DisposeAsync().ConfigureAwait(false);
        SendReceipts();
    }
}
