using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// Rooms and who is in them, with the rules on both (names are checked by the message; here: how
/// many rooms one device may create, how many members a room holds, and who may join: see
/// <see cref="RoomAdmissionRules"/>, which every member applies again). The hub knows names,
/// membership and the signed statements of who may be a member, never what is said: messages and
/// keys pass through it sealed. Kept in memory for the fan-out, written through to
/// <see cref="RoomStore"/> and <see cref="RoomPolicyStore"/>.
/// </summary>
internal sealed partial class HubRooms
{
    /// <summary>Most rooms one device may create. 100.</summary>
    public const int MaxRoomsPerCreator = 100;

    /// <summary>Most members in one room. 1,000.</summary>
    public const int MaxMembers = 1000;

    /// <summary>Most rooms one list reply carries (so it fits one frame with every topic at its longest). 3,000.</summary>
    public const int MaxListed = 3000;

    private readonly RoomStore _store;
    private readonly RoomPolicyStore _policyStore;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<DeviceId, string>> _rooms;
    private readonly Dictionary<string, RoomPolicy> _policies;
    private readonly Dictionary<(string Room, DeviceId Device), byte[]> _proofs;

    public HubRooms(RoomStore store, RoomPolicyStore policyStore)
    {
        _store = store;
        _policyStore = policyStore;
        _rooms = store.Load();
        _policies = policyStore.LoadPolicies();
        _proofs = policyStore.LoadProofs();
    }

    /// <summary>Creates the room with its creator as first member and owner; returns why not, or null.</summary>
    public string? Create(string room, DeviceId by, string name, DateTimeOffset now, byte[] policyBytes)
    {
        if (!Core.Protocol.WireMessage.TryRead<RoomPolicy>(policyBytes, out var policy, out _) || policy.Room != room || policy.Version != 1
            || policy.Signer != by || !policy.IsSelfSigned())
        {
            return $"creating #{room} needs its first policy, signed by you as its owner";
        }
        lock (_lock)
        {
            if (_rooms.ContainsKey(room))
            {
                return $"#{room} exists already; join it";
            }
            if (_store.CountCreatedBy(by) >= MaxRoomsPerCreator)
            {
                return $"you have created {MaxRoomsPerCreator} rooms, the most one device may";
            }
            _store.AddRoom(room, by, now);
            _policyStore.SetPolicy(policy);
            _policies[room] = policy;
            _rooms[room] = [];
            Shared?.Changed(ClusterRoomOp.Created, room, by, "", policyBytes);
            return AddLocked(room, by, name, []);
        }
    }

    /// <summary>
    /// Adds <paramref name="who"/> if the room's policy lets it in: as an owner, because the room is
    /// public, with the invite it brings, or with one an owner left here for it. A member already in
    /// (a rejoin after a reconnection) stays in on the proof it came with. Returns why not, or null and
    /// the proof the member is in by (for the join notice).
    /// </summary>
    public (string? Error, byte[] Proof) Join(string room, DeviceId who, string name, byte[] invite, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var members))
            {
                return ($"there is no #{room}; create it", []);
            }
            if (members.ContainsKey(who))
            {
                var held = _proofs.GetValueOrDefault((room, who), []);
                return (AddLocked(room, who, name, held), held);
            }
            if (!_policies.TryGetValue(room, out var policy))
            {
                return ($"#{room} was made before rooms had owners: nobody can join it", []);
            }
            var refusal = RoomAdmissionRules.Refusal(policy, who, invite, now);
            if (refusal is not null && invite.Length == 0)
            {
                // No invite brought: one an owner left here for this device will do.
                foreach (var stored in _policyStore.InvitesFor(room, who, now))
                {
                    if (RoomAdmissionRules.Refusal(policy, who, stored, now) is null)
                    {
                        (refusal, invite) = (null, stored);
                        break;
                    }
                }
            }
            if (refusal is null && RoomAdmissionRules.TokenOf(invite) is { Length: > 0 } token && _policyStore.IsRevoked(room, who, token)
                && !policy.IsOwner(who) && !policy.Public)
            {
                refusal = RoomAdmissionRules.Withdrawn(room);
            }
            if (refusal is not null)
            {
                return (refusal, []);
            }
            // The proof kept is what members check: nothing when the joiner is an owner or the room is public.
            var proof = policy.IsOwner(who) || policy.Public ? [] : invite;
            return (AddLocked(room, who, name, proof), proof);
        }
    }

    private string? AddLocked(string room, DeviceId who, string name, byte[] proof)
    {
        if (_rooms[room].Count >= MaxMembers && !_rooms[room].ContainsKey(who))
        {
            return $"#{room} is full ({MaxMembers} members)";
        }
        _rooms[room][who] = name;
        _store.AddMember(room, who, name);
        _proofs[(room, who)] = proof;
        _policyStore.SetProof(room, who, proof);
        Shared?.Changed(ClusterRoomOp.Member, room, who, name, proof);
        return null;
    }

    public string? Leave(string room, DeviceId who)
    {
        lock (_lock)
        {
            if (!RemoveLocked(room, who))
            {
                return $"you are not in #{room}";
            }
        }
        Departed?.Invoke(room, who);
        return null;
    }

    private bool RemoveLocked(string room, DeviceId who)
    {
        if (!_rooms.TryGetValue(room, out var members) || !members.Remove(who))
        {
            return false;
        }
        _store.RemoveMember(room, who);
        _proofs.Remove((room, who));
        _policyStore.RemoveProof(room, who);
        Shared?.Changed(ClusterRoomOp.Gone, room, who, "", []);
        return true; // the caller raises Departed once our lock is released
    }

    /// <summary>
    /// A member left a room or was removed (raised outside the rooms' lock: the room's call takes its own lock
    /// in the handler, and it asks the rooms who is a member under that lock, so raising it under ours could deadlock).
    /// The room's call takes it out at once, so it hears nothing more and the others rekey without it.
    /// </summary>
    public event Action<string, DeviceId>? Departed;

    /// <summary>Rooms in order with their policy's public flag and topic, at most <see cref="MaxListed"/>.</summary>
    public List<RoomListing> Listings()
    {
        lock (_lock)
        {
            return [.. _rooms.Keys.Order(StringComparer.Ordinal).Take(MaxListed).Select(room =>
            {
                var policy = _policies.GetValueOrDefault(room);
                return new RoomListing(room, policy?.Public ?? false, policy?.Topic ?? "", _rooms[room].Count);
            })];
        }
    }

    /// <summary>A copy of a room's members (device → name), or null when there is no such room.</summary>
    public Dictionary<DeviceId, string>? Members(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var members) ? new Dictionary<DeviceId, string>(members) : null;
        }
    }

    public bool IsMember(string room, DeviceId who)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var members) && members.ContainsKey(who);
        }
    }
}
