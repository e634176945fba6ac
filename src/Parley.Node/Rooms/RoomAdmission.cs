using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// What this node has checked about who may be in each of its rooms: the room's signed policy (each
/// new version must be signed by an owner of the one before) and the members it admitted (an owner,
/// anyone while the room was public, or the holder of an owner's invite: <see cref="RoomAdmissionRules"/>).
/// <see cref="RoomKeys"/> asks it before sealing our sender key to anyone, so a member the hub added
/// without an owner's word gets nothing readable from us. A member an owner removed cannot come back
/// on the invite it came by. Kept in the settings table (<c>room-policy:NAME</c>,
/// <c>room-admitted:NAME</c>, <c>room-revoked:NAME</c>) so it outlives a restart.
/// </summary>
internal sealed class RoomAdmission(NodeIdentity identity, ISettingStore settings, TimeProvider time, ILoggerFactory loggerFactory)
{
    /// <summary>Clock difference allowed between the hub checking an invite and us checking it again. 5 minutes.</summary>
    public static readonly TimeSpan ExpirySlack = TimeSpan.FromMinutes(5);

    private const string PolicyKey = "room-policy:";
    private const string AdmittedKey = "room-admitted:";
    private const string RevokedKey = "room-revoked:";
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");
    private readonly ConcurrentDictionary<string, Gate> _rooms = new(StringComparer.Ordinal);
    private long _refused;

    /// <summary>Members refused since start (a join without an owner's word, a forged policy): each got no key from us.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The room's policy as we checked it, or null when we hold none.</summary>
    public RoomPolicy? PolicyOf(string room) => _rooms.TryGetValue(room, out var gate) ? gate.Policy : null;

    public bool IsOwner(string room, DeviceId device) => PolicyOf(room)?.IsOwner(device) == true;

    /// <summary>Whether our sender key may be sealed to <paramref name="member"/>: an owner, a member we admitted, or anyone while the room is public.</summary>
    public bool MayReceiveKey(RoomState state, DeviceId member)
    {
        if (!_rooms.TryGetValue(state.Name, out var gate))
        {
            return false;
        }
        lock (gate)
        {
            return gate.Policy is { } policy && (policy.IsOwner(member) || policy.Public || gate.Admitted.ContainsKey(member));
        }
    }

    /// <summary>
    /// We are in the room (made it, joined it, or rejoined after a reconnection): check the policy the
    /// hub gave (the one we hold, one signed by an owner of it, or, the first time, one signed by one of
    /// its own owners) and each member's proof. Members whose proof fails stay listed but get no key.
    /// Throws when the room has no valid policy at all.
    /// </summary>
    public async Task EnterAsync(string room, byte[] policyBytes, IEnumerable<RoomMember> members)
    {
        var gate = await LoadAsync(room).ConfigureAwait(false);
        if (!WireMessage.TryRead<RoomPolicy>(policyBytes, out var offered, out _) || offered.Room != room)
        {
            offered = null;
        }
        List<DeviceId> refused = [];
        lock (gate)
        {
            if (offered is not null && (gate.Policy is null ? offered.IsSelfSigned() : offered.Follows(gate.Policy)))
            {
                gate.Policy = offered;
            }
            else if (offered is not null && gate.Policy is not null && offered.Version > gate.Policy.Version)
            {
                refused.Add(offered.Signer);
            }
            if (gate.Policy is not { } policy)
            {
                throw new Chat.ChatException($"#{room} has no policy signed by an owner: its members cannot be checked, so this node stays out");
            }
            gate.Admitted[identity.DeviceId] = "";
            foreach (var member in members.Where(m => !gate.Admitted.ContainsKey(m.DeviceId)))
            {
                // Admitted earlier by the proof's own terms: its expiry mattered when it was used, not now.
                if ((RoomAdmissionRules.Refusal(policy, member.DeviceId, member.Proof, now: null) ?? gate.Withdrawn(policy, member.DeviceId, member.Proof)) is null)
                {
                    gate.Admitted[member.DeviceId] = RoomAdmissionRules.TokenOf(member.Proof);
                }
                else
                {
                    refused.Add(member.DeviceId);
                }
            }
        }
        foreach (var member in refused)
        {
            Interlocked.Increment(ref _refused);
            RoomsLog.NotAdmitted(_logger, member.Short, room, "no owner's invite, nor an owner, nor a public room");
        }
        await SaveAsync(room, gate).ConfigureAwait(false);
    }

    /// <summary>A member joined: admitted if its proof holds now (a valid, unexpired owner's invite; or it is an owner; or the room is public). Returns why not, or null.</summary>
    public async Task<string?> AdmitAsync(string room, DeviceId member, byte[] proof)
    {
        var gate = await LoadAsync(room).ConfigureAwait(false);
        string? refusal;
        lock (gate)
        {
            refusal = gate.Admitted.ContainsKey(member) ? null
                : gate.Policy is { } policy ? RoomAdmissionRules.Refusal(policy, member, proof, time.GetUtcNow() - ExpirySlack) ?? gate.Withdrawn(policy, member, proof)
                : "we hold no policy for the room";
            if (refusal is null && !gate.Admitted.ContainsKey(member))
            {
                gate.Admitted[member] = RoomAdmissionRules.TokenOf(proof);
            }
        }
        if (refusal is not null)
        {
            Interlocked.Increment(ref _refused);
            RoomsLog.NotAdmitted(_logger, member.Short, room, refusal);
            return refusal;
        }
        await SaveAsync(room, gate).ConfigureAwait(false);
        return null;
    }

    /// <summary>A member left or was removed: to be in again it needs a proof again, and when <paramref name="removed"/>, not the invite it came by.</summary>
    public async Task ForgetAsync(string room, DeviceId member, bool removed)
    {
        var gate = await LoadAsync(room).ConfigureAwait(false);
        lock (gate)
        {
            if (gate.Admitted.Remove(member, out var token) && removed && token.Length > 0)
            {
                gate.Revoked.Add(member.Compact + ":" + token);
            }
        }
        await SaveAsync(room, gate).ConfigureAwait(false);
    }

    /// <summary>
    /// A new policy from an owner: kept when signed by an owner of the one we hold; false when not
    /// (counted when it claims to be newer; one we already hold or an older one, as a replayed
    /// notice brings, is simply not news).
    /// </summary>
    public async Task<bool> AcceptPolicyAsync(string room, RoomPolicy policy)
    {
        var gate = await LoadAsync(room).ConfigureAwait(false);
        bool accepted, stale;
        lock (gate)
        {
            stale = gate.Policy is { } held && policy.Version <= held.Version;
            accepted = policy.Room == room && gate.Policy is { } current && policy.Follows(current);
            if (accepted)
            {
                gate.Policy = policy;
            }
        }
        if (stale)
        {
            return false;
        }
        if (!accepted)
        {
            Interlocked.Increment(ref _refused);
            RoomsLog.PolicyRefused(_logger, policy.Signer.Short, room);
            return false;
        }
        await SaveAsync(room, gate).ConfigureAwait(false);
        return true;
    }

    /// <summary>True the first time we hear of the invite with <paramref name="token"/> (the hub repeats open invites on each connection).</summary>
    public async Task<bool> FirstNewsOfInviteAsync(string token)
    {
        var key = "room-invite-seen:" + token;
        if (token.Length == 0 || await settings.GetSettingAsync(key).ConfigureAwait(false) is not null)
        {
            return false;
        }
        await settings.SetSettingAsync(key, "1").ConfigureAwait(false);
        return true;
    }

    /// <summary>We left (or were removed): what we knew of the room goes.</summary>
    public async Task LeaveAsync(string room)
    {
        _rooms.TryRemove(room, out _);
        await settings.SetSettingAsync(PolicyKey + room, "").ConfigureAwait(false);
        await settings.SetSettingAsync(AdmittedKey + room, "").ConfigureAwait(false);
        await settings.SetSettingAsync(RevokedKey + room, "").ConfigureAwait(false);
    }

    private async Task<Gate> LoadAsync(string room)
    {
        if (_rooms.TryGetValue(room, out var known))
        {
            return known;
        }
        var gate = new Gate();
        var policy = await settings.GetSettingAsync(PolicyKey + room).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(policy) && WireMessage.TryRead<RoomPolicy>(Convert.FromBase64String(policy), out var stored, out _))
        {
            gate.Policy = stored;
        }
        foreach (var entry in ((await settings.GetSettingAsync(AdmittedKey + room).ConfigureAwait(false)) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (id, token) = entry.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? (entry[..colon], entry[(colon + 1)..]) : (entry, "");
            if (DeviceId.TryParse(id, out var device))
            {
                gate.Admitted[device] = token;
            }
        }
        gate.Revoked.UnionWith(((await settings.GetSettingAsync(RevokedKey + room).ConfigureAwait(false)) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries));
        return _rooms.GetOrAdd(room, gate);
    }

    private async Task SaveAsync(string room, Gate gate)
    {
        string policy, admitted, revoked;
        lock (gate)
        {
            policy = gate.Policy is { } p ? Convert.ToBase64String(p.ToArray()) : "";
            admitted = string.Join(',', gate.Admitted.Select(a => a.Key.Compact + ":" + a.Value).Order(StringComparer.Ordinal));
            revoked = string.Join(',', gate.Revoked.Order(StringComparer.Ordinal));
        }
        await settings.SetSettingAsync(PolicyKey + room, policy).ConfigureAwait(false);
        await settings.SetSettingAsync(AdmittedKey + room, admitted).ConfigureAwait(false);
        await settings.SetSettingAsync(RevokedKey + room, revoked).ConfigureAwait(false);
    }

    /// <summary>One room's checked policy, admitted members (with the token of the invite each came by, or ""), and withdrawn invites ("DEVICE:TOKEN"); guarded by locking itself.</summary>
    private sealed class Gate
    {
        public RoomPolicy? Policy { get; set; }

        public Dictionary<DeviceId, string> Admitted { get; } = [];

        public HashSet<string> Revoked { get; } = new(StringComparer.Ordinal);

        /// <summary>Why an invite that otherwise holds does not: it was withdrawn from this device when an owner removed it (owners and public rooms need none).</summary>
        public string? Withdrawn(RoomPolicy policy, DeviceId member, byte[] proof) =>
            !policy.IsOwner(member) && !policy.Public && RoomAdmissionRules.TokenOf(proof) is { Length: > 0 } token && Revoked.Contains(member.Compact + ":" + token)
                ? RoomAdmissionRules.Withdrawn(policy.Room) : null;
    }
}
