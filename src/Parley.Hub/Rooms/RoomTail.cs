using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// A room's log as the hub runs it: its bounds, each member's join point and read position, the bytes
/// each sender has stored, and the members reading it now. Guarded by <see cref="RoomLog"/>'s lock.
/// </summary>
internal sealed class RoomTail(string name)
{
    public string Name { get; } = name;

    /// <summary>The last sequence number given (an entry may still be on its way to disk).</summary>
    public ulong Head { get; set; }

    /// <summary>The last sequence number on disk: readers catch up to it, then go live.</summary>
    public ulong Committed { get; set; }

    /// <summary>The oldest entry kept (retention drops older ones); Head + 1 when the log is empty.</summary>
    public ulong Oldest { get; set; } = 1;

    /// <summary>Members: where each joined and how far it has stored.</summary>
    public Dictionary<DeviceId, MemberPlace> Places { get; } = [];

    /// <summary>Members reading the log now (synced on their current link).</summary>
    public Dictionary<DeviceId, LogReader> Readers { get; } = [];

    /// <summary>Members whose position moved since receipts were last sent.</summary>
    public HashSet<DeviceId> Moved { get; } = [];

    public long Bytes { get; set; }

    public Dictionary<DeviceId, long> BytesBySender { get; } = [];

    public void AddBytes(DeviceId sender, long bytes)
    {
        Bytes += bytes;
        BytesBySender[sender] = BytesBySender.GetValueOrDefault(sender) + bytes;
    }
}

/// <summary>A member's place in a room's log: the seq of its join notice and the last seq it has stored.</summary>
internal sealed class MemberPlace(ulong joined, ulong position)
{
    public ulong Joined { get; } = joined;

    public ulong Position { get; set; } = position;
}

/// <summary>A member reading a room's log on one link: the last seq sent to it, and whether it is caught up (then the writer hands it each new entry).</summary>
internal sealed class LogReader(Member member, ulong sent)
{
    public Member Member { get; } = member;

    public ulong Sent { get; set; } = sent;

    public bool Live { get; set; }
}
