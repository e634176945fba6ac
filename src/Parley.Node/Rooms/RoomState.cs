using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;

namespace Parley.Node.Rooms;

/// <summary>
/// One room this node is in: its members, our current sender key and the ones we used before (to answer
/// key requests), the keys others handed us, members' read positions, how far we have read the room's
/// log, and the keys we are waiting for. Guarded by <see cref="Lock"/>.
/// </summary>
internal sealed class RoomState(string name)
{
    public string Name { get; } = name;

    public Lock Lock { get; } = new();

    /// <summary>Members by device ID, with the names the hub gave.</summary>
    public Dictionary<DeviceId, string> Members { get; set; } = [];

    /// <summary>
    /// Our key for what we say next; null until we have handed one out on this run (a key's counter never
    /// restarts), and from the moment a new one is made until it has gone to every member.
    /// </summary>
    public SenderKey? MyKey { get; set; }

    /// <summary>Counts the keys we started making: only the latest may become <see cref="MyKey"/> (an older one may have gone to a member that left since).</summary>
    public int KeyGeneration { get; set; }

    /// <summary>The latest key being made and handed out; sends wait for it rather than make another.</summary>
    public Task Rekeying { get; set; } = Task.CompletedTask;

    /// <summary>Who each key of ours made on this run went to: a member joining after it may still need it (see <see cref="Parley.Node.Rooms.RoomKeys"/>).</summary>
    public Dictionary<uint, HashSet<DeviceId>> HandedTo { get; } = [];

    /// <summary>Every key of ours, by ID, to hand on from a message on when a member asks for it.</summary>
    public Dictionary<uint, SenderKey> MyKeys { get; } = [];

    /// <summary>Other members' sender keys, by member and key ID.</summary>
    public Dictionary<(DeviceId Member, uint KeyId), HeldSenderKey> Keys { get; } = [];

    /// <summary>Members' places in the room's log (from the hub's receipts): what delivery counts come from.</summary>
    public Dictionary<DeviceId, RoomReceipt> Receipts { get; } = [];

    /// <summary>The last entry of the room's log we have stored.</summary>
    public ulong Position { get; set; }

    /// <summary>The last position we told the hub.</summary>
    public ulong Acked { get; set; }

    /// <summary>Entries up to here are catch-up (said while we were away); later ones are live.</summary>
    public ulong SyncHead { get; set; }

    /// <summary>
    /// A run of entries failed to be stored: entries are ignored until the hub answers the sync we asked
    /// for (its sync state comes before the entries it sends again), so the position never moves past a hole.
    /// </summary>
    public bool Resyncing { get; set; }

    /// <summary>The first message that arrived during the latest catch-up: where the unread marker goes.</summary>
    public Guid? FirstCaughtUp { get; set; }

    /// <summary>Messages and keys dropped since start because their signature or encryption did not check out (a message read again is ignored, not counted).</summary>
    public int Dropped { get; set; }

    /// <summary>Keys we hold messages for and cannot open yet: the lowest message number waiting, and when we last asked.</summary>
    public Dictionary<(DeviceId Member, uint KeyId), WaitingKey> Waiting { get; } = [];

    /// <summary>A member left: its name, keys and receipt go (what it says next is not ours to read).</summary>
    public void Remove(DeviceId member)
    {
        Members.Remove(member);
        Receipts.Remove(member);
        foreach (var stale in Keys.Keys.Where(k => k.Member == member).ToList())
        {
            Keys.Remove(stale);
        }
    }
}

/// <summary>A key we are waiting for: the lowest message number that needs it, since when, and when we last asked its owner.</summary>
internal sealed class WaitingKey(ulong counter, DateTimeOffset since)
{
    public ulong Counter { get; set; } = counter;

    public DateTimeOffset Since { get; } = since;

    public DateTimeOffset? Asked { get; set; }

    public int Asks { get; set; }
}
