using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>Where a cluster hub sends the changes it makes to rooms, for the other hubs (none on a single hub).</summary>
internal interface IRoomChangeShare
{
    void Changed(ClusterRoomOp op, string room, DeviceId device, string name, byte[] blob);
}

/// <summary>Rooms kept by every hub of a cluster: each hub's changes go out (<see cref="Shared"/>), the others' come in (<see cref="Apply"/>).</summary>
internal sealed partial class HubRooms
{
    /// <summary>Told of each change this hub makes; null on a single hub.</summary>
    public IRoomChangeShare? Shared { get; set; }

    /// <summary>
    /// Makes another hub's change here too. That hub checked it against its rules; here only that it
    /// is well formed (a policy or invite that reads and is signed) and fits what this hub has, so a bad
    /// record read back from NATS changes nothing. Applying one twice changes nothing more.
    /// </summary>
    public string? Apply(ClusterRoomChange change, DateTimeOffset now)
    {
        var result = ApplyLocked(change, now, out var arrived, out var departed);
        if (arrived)
        {
            Arrived?.Invoke(change.Room, change.Device);
        }
        if (departed)
        {
            // Removed or gone through another hub: out of this hub's call of the room too, as for a leave here.
            Departed?.Invoke(change.Room, change.Device);
        }
        return result;
    }

    /// <summary>
    /// A member another hub let into a room is a member here now (raised outside the rooms' lock). The room's call
    /// here looks again at who the other hubs have in it: a participant there left out as not yet a member is let in.
    /// </summary>
    public event Action<string, DeviceId>? Arrived;

    private string? ApplyLocked(ClusterRoomChange change, DateTimeOffset now, out bool arrived, out bool departed)
    {
        var (_, op, room, device, name, blob) = change;
        arrived = false;
        departed = false;
        lock (_lock)
        {
            switch (op)
            {
                case ClusterRoomOp.Created when !_rooms.ContainsKey(room):
                    if (!WireMessage.TryRead<RoomPolicy>(blob, out var first, out _) || first.Room != room || first.Signer != device || !first.IsSelfSigned())
                    {
                        return "a created room without its first policy";
                    }
                    _store.AddRoom(room, device, now);
                    _policyStore.SetPolicy(first);
                    _policies[room] = first;
                    _rooms[room] = [];
                    return null;
                case ClusterRoomOp.Member when _rooms.TryGetValue(room, out var members):
                    members[device] = name;
                    _store.AddMember(room, device, name);
                    _proofs[(room, device)] = blob;
                    _policyStore.SetProof(room, device, blob);
                    arrived = true;
                    return null;
                case ClusterRoomOp.Gone when _rooms.TryGetValue(room, out var members) && members.Remove(device):
                    _store.RemoveMember(room, device);
                    _proofs.Remove((room, device));
                    _policyStore.RemoveProof(room, device);
                    departed = true;
                    return null;
                case ClusterRoomOp.Removed:
                    _policyStore.DropInvitesFor(room, device);
                    if (RoomAdmissionRules.TokenOf(blob) is { Length: > 0 } token)
                    {
                        _policyStore.Revoke(room, device, token);
                    }
                    return null;
                case ClusterRoomOp.Policy when WireMessage.TryRead<RoomPolicy>(blob, out var next, out _) && next.Room == room:
                    if (_policies.TryGetValue(room, out var current) && next.Follows(current))
                    {
                        _policyStore.SetPolicy(next);
                        _policies[room] = next;
                    }
                    return null;
                case ClusterRoomOp.Invite when WireMessage.TryRead<RoomInvite>(blob, out var invite, out _) && invite.Room == room && invite.Verify():
                    _policyStore.AddInvite(invite);
                    return null;
                case ClusterRoomOp.Created or ClusterRoomOp.Gone or ClusterRoomOp.Member:
                    return null; // made already, or the room is gone: nothing to do
                default:
                    return $"a {op} change that does not read";
            }
        }
    }
}
