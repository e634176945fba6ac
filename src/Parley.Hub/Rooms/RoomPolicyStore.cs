using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Who may be in each room, in the hub's database: its latest signed policy, the proof each member
/// was let in by (the invite it joined with, or nothing), the invites owners handed the hub for
/// one device each (kept until they expire or the invitee is removed), and the invites withdrawn
/// from members an owner removed (so the link a removed member came by does not let it back).
/// </summary>
internal sealed class RoomPolicyStore
{
    private readonly HubDatabase _database;

    public RoomPolicyStore(HubDatabase database)
    {
        _database = database;
        _database.Execute("""
            CREATE TABLE IF NOT EXISTS room_policies (room TEXT PRIMARY KEY, policy BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS room_proofs (room TEXT NOT NULL, device TEXT NOT NULL, proof BLOB NOT NULL, PRIMARY KEY (room, device));
            CREATE TABLE IF NOT EXISTS room_invites (room TEXT NOT NULL, token TEXT NOT NULL, invitee TEXT NOT NULL, expires_at INTEGER NOT NULL,
                invite BLOB NOT NULL, PRIMARY KEY (room, token));
            CREATE TABLE IF NOT EXISTS room_revoked (room TEXT NOT NULL, device TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (room, device, token));
            """);
    }

    /// <summary>Every room's latest policy.</summary>
    public Dictionary<string, RoomPolicy> LoadPolicies()
    {
        var policies = new Dictionary<string, RoomPolicy>(StringComparer.Ordinal);
        foreach (var (room, bytes) in _database.Query("SELECT room, policy FROM room_policies;", reader => (reader.GetString(0), (byte[])reader[1])))
        {
            if (WireMessage.TryRead<RoomPolicy>(bytes, out var policy, out _))
            {
                policies[room] = policy;
            }
        }
        return policies;
    }

    /// <summary>Every member's proof, by room and device.</summary>
    public Dictionary<(string Room, DeviceId Device), byte[]> LoadProofs()
    {
        var proofs = new Dictionary<(string, DeviceId), byte[]>();
        foreach (var (room, device, proof) in _database.Query("SELECT room, device, proof FROM room_proofs;", reader => (reader.GetString(0), reader.GetString(1), (byte[])reader[2])))
        {
            if (DeviceId.TryParse(device, out var id))
            {
                proofs[(room, id)] = proof;
            }
        }
        return proofs;
    }

    public void SetPolicy(RoomPolicy policy) =>
        _database.Execute("INSERT OR REPLACE INTO room_policies (room, policy) VALUES ($a, $b);", ("$a", policy.Room), ("$b", policy.ToArray()));

    public void SetProof(string room, DeviceId who, byte[] proof) =>
        _database.Execute("INSERT OR REPLACE INTO room_proofs (room, device, proof) VALUES ($a, $b, $c);", ("$a", room), ("$b", who.Compact), ("$c", proof));

    public void RemoveProof(string room, DeviceId who) =>
        _database.Execute("DELETE FROM room_proofs WHERE room = $a AND device = $b;", ("$a", room), ("$b", who.Compact));

    public void AddInvite(RoomInvite invite) => _database.Execute(
        "INSERT OR REPLACE INTO room_invites (room, token, invitee, expires_at, invite) VALUES ($a, $b, $c, $d, $e);",
        ("$a", invite.Room), ("$b", invite.TokenText), ("$c", invite.Invitee.Compact), ("$d", invite.ExpiresAt.ToUnixTimeMilliseconds()), ("$e", invite.ToArray()));

    /// <summary>Open invites of a room (expired ones are dropped first).</summary>
    public int CountInvites(string room, DateTimeOffset now)
    {
        _database.Execute("DELETE FROM room_invites WHERE expires_at <= $now;", ("$now", now.ToUnixTimeMilliseconds()));
        return _database.Query("SELECT count(*) FROM room_invites WHERE room = $a;", reader => reader.GetInt32(0), ("$a", room))[0];
    }

    /// <summary>Invites for <paramref name="invitee"/> to the room not yet expired, newest expiry first.</summary>
    public List<byte[]> InvitesFor(string room, DeviceId invitee, DateTimeOffset now) => _database.Query(
        "SELECT invite FROM room_invites WHERE room = $a AND invitee = $b AND expires_at > $now ORDER BY expires_at DESC;",
        reader => (byte[])reader[0], ("$a", room), ("$b", invitee.Compact), ("$now", now.ToUnixTimeMilliseconds()));

    /// <summary>Every open invite for <paramref name="invitee"/>, in any room (to tell it when it comes online), at most 100.</summary>
    public List<byte[]> OpenInvitesFor(DeviceId invitee, DateTimeOffset now) => _database.Query(
        "SELECT invite FROM room_invites WHERE invitee = $b AND expires_at > $now ORDER BY expires_at DESC LIMIT 100;",
        reader => (byte[])reader[0], ("$b", invitee.Compact), ("$now", now.ToUnixTimeMilliseconds()));

    /// <summary>The invitee was removed: the invites that would let it straight back in go.</summary>
    public void DropInvitesFor(string room, DeviceId invitee) =>
        _database.Execute("DELETE FROM room_invites WHERE room = $a AND invitee = $b;", ("$a", room), ("$b", invitee.Compact));

    /// <summary>A removed member's invite no longer admits it.</summary>
    public void Revoke(string room, DeviceId device, string token) =>
        _database.Execute("INSERT OR IGNORE INTO room_revoked (room, device, token) VALUES ($a, $b, $c);", ("$a", room), ("$b", device.Compact), ("$c", token));

    public bool IsRevoked(string room, DeviceId device, string token) =>
        _database.Query("SELECT 1 FROM room_revoked WHERE room = $a AND device = $b AND token = $c;", _ => true, ("$a", room), ("$b", device.Compact), ("$c", token)).Count > 0;
}
