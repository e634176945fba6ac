using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>What owners do to a room (invite, remove, set the policy) and what the hub tells of it; each checked as every member would.</summary>
internal sealed partial class HubRooms
{
    /// <summary>Most open invites one room keeps at the hub (expired ones do not count). 1,000.</summary>
    public const int MaxInvites = 1000;

    /// <summary>The room's latest signed policy, or null (no such room, or one made before policies).</summary>
    public RoomPolicy? Policy(string room)
    {
        lock (_lock)
        {
            return _policies.GetValueOrDefault(room);
        }
    }

    /// <summary>The proof a member is in by (empty: owner, public, or unknown).</summary>
    public byte[] Proof(string room, DeviceId who)
    {
        lock (_lock)
        {
            return _proofs.GetValueOrDefault((room, who), []);
        }
    }

    /// <summary>
    /// Whether <paramref name="who"/> may see the room's members: anyone while it is public, else its
    /// members and the devices an owner invited (an invite-only room's members are not for strangers).
    /// </summary>
    public bool MaySeeMembers(string room, DeviceId who, DateTimeOffset now)
    {
        lock (_lock)
        {
            return !_policies.TryGetValue(room, out var policy) || policy.Public || IsMemberLocked(room, who)
                || _policyStore.InvitesFor(room, who, now).Count > 0;
        }
    }

    /// <summary>Keeps an owner's invite for one device until it expires; returns why not, or null and the invite.</summary>
    public (string? Error, RoomInvite? Invite) Invite(string room, DeviceId by, byte[] bytes, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (OwnerRefusalLocked(room, by) is { } notOwner)
            {
                return (notOwner, null);
            }
            if (!WireMessage.TryRead<RoomInvite>(bytes, out var invite, out _) || invite.Room != room || invite.Signer != by || !invite.Verify()
                || invite.IsLink || invite.ExpiresAt <= now)
            {
                return ($"that is not a valid invite to #{room} signed by you for one device", null);
            }
            if (_policyStore.CountInvites(room, now) >= MaxInvites)
            {
                return ($"#{room} has {MaxInvites} open invites, the most a room may", null);
            }
            _policyStore.AddInvite(invite);
            Shared?.Changed(ClusterRoomOp.Invite, room, invite.Invitee, "", bytes);
            return (null, invite);
        }
    }

    /// <summary>The invites owners left for <paramref name="invitee"/> that still hold, each with the name its signer goes by in the room.</summary>
    public List<(RoomInvite Invite, string ByName)> OpenInvitesFor(DeviceId invitee, DateTimeOffset now)
    {
        lock (_lock)
        {
            List<(RoomInvite, string)> open = [];
            foreach (var bytes in _policyStore.OpenInvitesFor(invitee, now))
            {
                if (WireMessage.TryRead<RoomInvite>(bytes, out var invite, out _) && _policies.TryGetValue(invite.Room, out var policy)
                    && policy.IsOwner(invite.Signer) && !IsMemberLocked(invite.Room, invitee))
                {
                    open.Add((invite, _rooms[invite.Room].GetValueOrDefault(invite.Signer) ?? invite.Signer.Short));
                }
            }
            return open;
        }
    }

    /// <summary>An owner removes a member (and the invites that would let it straight back); returns why not, or null.</summary>
    public string? Remove(string room, DeviceId by, DeviceId member)
    {
        lock (_lock)
        {
            if (OwnerRefusalLocked(room, by) is { } notOwner)
            {
                return notOwner;
            }
            var proof = _proofs.GetValueOrDefault((room, member), []);
            if (!RemoveLocked(room, member))
            {
                return $"that device is not in #{room}";
            }
            _policyStore.DropInvitesFor(room, member);
            if (RoomAdmissionRules.TokenOf(proof) is { Length: > 0 } token)
            {
                _policyStore.Revoke(room, member, token);
            }
            Shared?.Changed(ClusterRoomOp.Removed, room, member, "", proof);
        }
        Departed?.Invoke(room, member);
        return null;
    }

    /// <summary>Sets the room's next policy, valid only when signed by the owner sending it and an owner of the current one; returns why not, or null.</summary>
    public string? SetPolicy(string room, DeviceId by, byte[] bytes)
    {
        lock (_lock)
        {
            if (OwnerRefusalLocked(room, by) is { } notOwner)
            {
                return notOwner;
            }
            if (!WireMessage.TryRead<RoomPolicy>(bytes, out var policy, out _) || policy.Signer != by || !policy.Follows(_policies[room]))
            {
                return $"that is not a valid next policy for #{room}: it must be signed by you and have a higher version than {_policies[room].Version}";
            }
            _policyStore.SetPolicy(policy);
            _policies[room] = policy;
            Shared?.Changed(ClusterRoomOp.Policy, room, by, "", bytes);
            return null;
        }
    }

    private string? OwnerRefusalLocked(string room, DeviceId by) =>
        !_rooms.ContainsKey(room) ? $"there is no #{room}"
        : !_policies.TryGetValue(room, out var policy) || !policy.IsOwner(by) ? $"only an owner of #{room} may do that"
        : null;

    private bool IsMemberLocked(string room, DeviceId who) => _rooms.TryGetValue(room, out var members) && members.ContainsKey(who);
}
