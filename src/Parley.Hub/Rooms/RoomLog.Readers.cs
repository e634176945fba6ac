using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>Members reading rooms' logs: syncing from their last position, acknowledging, receipts, and the sender keys held for them.</summary>
internal sealed partial class RoomLog
{
    /// <summary>Entries sent to a catching-up member beyond its acknowledged position before the hub waits for its next acknowledgement. 512.</summary>
    public const int CatchUpWindow = 512;

    /// <summary>How often members' moved positions go out as receipts (and to disk).</summary>
    public static readonly TimeSpan ReceiptsEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The member wants the entries after <paramref name="after"/> (never before its own join), then the
    /// live ones: first the sender keys held for it, then where its part of the log starts and ends, the
    /// members' receipts, a gap entry if retention dropped some of what it missed, then the entries.
    /// False when it is not a member.
    /// </summary>
    public bool Sync(Member member, string room, ulong after)
    {
        RoomSyncState state;
        RoomReceipts receipts;
        StoredEntry? gap = null;
        lock (_lock)
        {
            // Looked up, not made: a sync for a room nobody is in must not leave a record behind.
            if (!_rooms.TryGetValue(room, out var tail) || !tail.Places.TryGetValue(member.Id, out var place))
            {
                return false;
            }
            var from = Math.Max(after + 1, place.Joined);
            if (from < tail.Oldest && tail.Oldest > place.Joined)
            {
                gap = new StoredEntry(room, tail.Oldest - 1, _options.TimeProvider.GetUtcNow(), RoomEntryKind.Gap, default, GapBody(from, tail.Oldest - 1));
                from = tail.Oldest;
            }
            if (!_options.RoomLog)
            {
                from = tail.Committed + 1; // nothing kept: only what comes next
            }
            tail.Readers[member.Id] = new LogReader(member, from - 1);
            state = new RoomSyncState(room, place.Joined, tail.Oldest, tail.Committed);
            receipts = new RoomReceipts(room, [.. tail.Places.Take(RoomReceipts.MaxReceipts).Select(p => new RoomReceipt(p.Key, p.Value.Joined, p.Value.Position))]);
        }
        foreach (var key in _store.HeldKeys(room, member.Id))
        {
            member.Link.TrySend(FrameType.RoomKey, key);
        }
        member.Send(FrameType.RoomSyncState, state);
        member.Send(FrameType.RoomReceipts, receipts);
        if (gap is not null)
        {
            member.Link.TrySend(FrameType.RoomEntry, gap.ToEntry().ToArray());
        }
        Pump(member, room);
        return true;
    }

    private static byte[] GapBody(ulong first, ulong last)
    {
        var body = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(body, first);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(8), last);
        return body;
    }

    /// <summary>The member has stored every entry up to <paramref name="position"/>: its receipts move, and a catching-up member gets its next window.</summary>
    public void Ack(Member member, string room, ulong position)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var tail) || !tail.Places.TryGetValue(member.Id, out var place)
                || position <= place.Position || position > tail.Committed)
            {
                return;
            }
            place.Position = position;
            tail.Moved.Add(member.Id);
        }
        Pump(member, room);
    }

    /// <summary>Sends a catching-up member the stored entries it lacks, a window at a time; once it has all there are, it reads live.</summary>
    private void Pump(Member member, string room)
    {
        while (true)
        {
            ulong sent;
            int windowLeft;
            lock (_lock)
            {
                var tail = Tail(room);
                if (!tail.Readers.TryGetValue(member.Id, out var reader) || reader.Member != member || reader.Live)
                {
                    return;
                }
                if (reader.Sent >= tail.Committed)
                {
                    reader.Live = true;
                    return;
                }
                var position = tail.Places.TryGetValue(member.Id, out var place) ? place.Position : 0;
                windowLeft = CatchUpWindow - (int)Math.Min(CatchUpWindow, reader.Sent - Math.Min(reader.Sent, position));
                if (windowLeft == 0)
                {
                    return; // wait for its acknowledgement
                }
                sent = reader.Sent;
            }
            var entries = _store.Read(room, sent, Math.Min(windowLeft, 256));
            lock (_lock)
            {
                var tail = Tail(room);
                if (!tail.Readers.TryGetValue(member.Id, out var reader) || reader.Member != member)
                {
                    return;
                }
                foreach (var entry in entries)
                {
                    Hand(reader, entry.ToEntry().ToArray());
                    reader.Sent = entry.Seq;
                }
                if (entries.Count == 0)
                {
                    reader.Sent = tail.Committed; // nothing stored past it (the log is off, or was cut): go live
                }
            }
        }
    }

    /// <summary>Sends each room's moved positions to its readers, and keeps them on disk.</summary>
    private void SendReceipts()
    {
        var outgoing = new List<(RoomReceipts Receipts, List<Member> To)>();
        var save = new List<(string, DeviceId, ulong, ulong)>();
        lock (_lock)
        {
            foreach (var tail in _rooms.Values.Where(t => t.Moved.Count > 0))
            {
                var moved = tail.Moved.Where(tail.Places.ContainsKey).Select(m => new RoomReceipt(m, tail.Places[m].Joined, tail.Places[m].Position)).ToList();
                tail.Moved.Clear();
                save.AddRange(moved.Select(r => (tail.Name, r.Member, r.Joined, r.Position)));
                var to = tail.Readers.Values.Select(r => r.Member).ToList();
                outgoing.AddRange(moved.Chunk(RoomReceipts.MaxReceipts).Select(chunk => (new RoomReceipts(tail.Name, chunk), to)));
            }
        }
        foreach (var (receipts, to) in outgoing)
        {
            var frame = receipts.ToArray();
            foreach (var member in to)
            {
                member.Link.TrySend(FrameType.RoomReceipts, frame);
            }
        }
        if (save.Count > 0 && _options.RoomLog)
        {
            try
            {
                _store.SavePositions(save);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                HubLog.RoomLogFailed(_logger, e.Message);
            }
        }
    }

    /// <summary>Holds a sealed key for its recipient until acknowledged, and hands it over now if it is reading.</summary>
    public void HoldKey(RoomKey key, byte[] frame)
    {
        if (Share is not null)
        {
            Share.HoldKey(key, frame); // held and handed over by whichever hub its recipient reads on, once read back
            return;
        }
        if (_options.RoomLog)
        {
            _store.HoldKey(key, frame, _options.TimeProvider.GetUtcNow(), _options.RoomHeldKeysPerSender);
        }
        Member? to;
        lock (_lock)
        {
            to = _rooms.TryGetValue(key.Room, out var tail) && tail.Readers.TryGetValue(key.To, out var reader) ? reader.Member : null;
        }
        to?.Link.TrySend(FrameType.RoomKey, frame);
    }

    public void ReleaseKey(string room, DeviceId recipient, DeviceId sender, uint keyId)
    {
        if (Share is not null)
        {
            Share.ReleaseKey(new RoomKeyRef(room, sender, recipient, keyId, 0));
            return;
        }
        if (_options.RoomLog)
        {
            _store.ReleaseKey(room, recipient, sender, keyId);
        }
    }

    /// <summary>Every stored entry of <paramref name="room"/>, in order.</summary>
    public IReadOnlyList<RoomEntry> Entries(string room) => [.. _store.Read(room, 0, int.MaxValue).Select(e => e.ToEntry())];

    /// <summary>A member online and reading <paramref name="room"/> now, to pass a key request to.</summary>
    public Member? Reader(string room, DeviceId member)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var tail) && tail.Readers.TryGetValue(member, out var reader) ? reader.Member : null;
        }
    }
}
