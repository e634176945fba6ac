using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;

namespace Parley.Node.Rooms;

/// <summary>One room this node is in: its members, our sender key, the keys others handed us, and messages waiting for a key. Guarded by <see cref="Lock"/>.</summary>
internal sealed class RoomState(string name)
{
    /// <summary>Messages kept per room while their sender key is on its way; more are dropped. 256.</summary>
    public const int MaxPending = 256;

    public string Name { get; } = name;

    public Lock Lock { get; } = new();

    /// <summary>Members by device ID, with the names the hub gave.</summary>
    public Dictionary<DeviceId, string> Members { get; set; } = [];

    public SenderKey MyKey { get; set; } = SenderKey.CreateRandom();

    /// <summary>Other members' sender keys, by member and key ID.</summary>
    public Dictionary<(DeviceId Member, uint KeyId), byte[]> Keys { get; } = [];

    /// <summary>Messages whose sender key has not arrived yet (it is on its way after a rekey).</summary>
    public List<(DeviceId Sender, byte[] Sealed)> Pending { get; } = [];

    /// <summary>A member left: its name and keys go (what it says next is not ours to read).</summary>
    public void Remove(DeviceId member)
    {
        Members.Remove(member);
        foreach (var stale in Keys.Keys.Where(k => k.Member == member).ToList())
        {
            Keys.Remove(stale);
        }
    }

    /// <summary>The messages that waited for <paramref name="sender"/>'s key, taken out of the queue.</summary>
    public List<(DeviceId Sender, byte[] Sealed)> TakePending(DeviceId sender)
    {
        List<(DeviceId, byte[])> ready = [.. Pending.Where(p => p.Sender == sender)];
        Pending.RemoveAll(p => p.Sender == sender);
        return ready;
    }
}
