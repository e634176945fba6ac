using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Rooms;
using Parley.Node.Tests.Files;

namespace Parley.Node.Tests.Rooms;

/// <summary>
/// A member's own check of who may get its sender key, fed what a hub that lies might send: members
/// without an owner's invite, stripped proofs, a policy from a non-owner, a removed member slipped
/// back in on the link it came by. What it checked survives a restart.
/// </summary>
public sealed class RoomAdmissionTests : IDisposable
{
    private readonly NodeIdentity _alice = NodeIdentity.CreateEphemeral();
    private readonly NodeIdentity _bob = NodeIdentity.CreateEphemeral();
    private readonly NodeIdentity _carol = NodeIdentity.CreateEphemeral();
    private readonly NodeIdentity _eve = NodeIdentity.CreateEphemeral();
    private readonly FakeSettingStore _settings = new();
    private readonly RoomState _state = new("team");

    public void Dispose()
    {
        foreach (var identity in new[] { _alice, _bob, _carol, _eve })
        {
            identity.Dispose();
        }
    }

    /// <summary>Carol's node (a member, not an owner), as after a fresh start over the same settings.</summary>
    private RoomAdmission Carol() => new(_carol, _settings, TimeProvider.System, NullLoggerFactory.Instance);

    private static RoomMember Member(NodeIdentity who, byte[]? proof = null) => new(who.DeviceId, "m", true) { Proof = proof ?? [] };

    private byte[] InviteFor(NodeIdentity who) => RoomInvite.Create(_alice, "team", who.DeviceId, DateTimeOffset.UtcNow.AddDays(1)).ToArray();

    [Fact]
    public async Task MembersWithoutAnOwnersWord_GetNoKey_AndWhatWasCheckedOutlivesARestart()
    {
        var policy = RoomPolicy.First(_alice, "team").ToArray();
        var carol = Carol();
        await carol.EnterAsync("team", policy, [Member(_alice), Member(_bob, InviteFor(_bob)), Member(_carol, InviteFor(_carol)), Member(_eve)]);

        Assert.True(carol.MayReceiveKey(_state, _alice.DeviceId));
        Assert.True(carol.MayReceiveKey(_state, _bob.DeviceId));
        Assert.False(carol.MayReceiveKey(_state, _eve.DeviceId));
        Assert.Equal(1, carol.Refused);

        // After a restart the hub lists bob with his proof stripped: carol admitted him before, so he keeps his key.
        var restarted = Carol();
        await restarted.EnterAsync("team", policy, [Member(_alice), Member(_bob), Member(_carol), Member(_eve)]);
        Assert.True(restarted.MayReceiveKey(_state, _bob.DeviceId));
        Assert.False(restarted.MayReceiveKey(_state, _eve.DeviceId));
    }

    [Fact]
    public async Task NoPolicy_OrOneNotSignedByItsOwners_KeepsTheNodeOut_AndALaterForgedOneIsRefused()
    {
        await Assert.ThrowsAsync<ChatException>(() => Carol().EnterAsync("team", [], [Member(_eve)]));
        var forgedFirst = RoomPolicy.First(_alice, "team") with { Owners = [_eve.DeviceId] };
        await Assert.ThrowsAsync<ChatException>(() => Carol().EnterAsync("team", forgedFirst.ToArray(), [Member(_eve)]));

        var carol = Carol();
        await carol.EnterAsync("team", RoomPolicy.First(_alice, "team").ToArray(), [Member(_alice), Member(_carol, InviteFor(_carol))]);
        var takeover = RoomPolicy.Create(_eve, "team", 2, isPublic: true, "", [_eve.DeviceId]);
        Assert.False(await carol.AcceptPolicyAsync("team", takeover));
        await carol.EnterAsync("team", takeover.ToArray(), [Member(_alice), Member(_carol), Member(_eve)]); // the hub serving it on a rejoin
        Assert.Equal((1u, false), (carol.PolicyOf("team")!.Version, carol.PolicyOf("team")!.Public));
        Assert.False(carol.MayReceiveKey(_state, _eve.DeviceId));

        var open = RoomPolicy.Create(_alice, "team", 2, isPublic: true, "open", [_alice.DeviceId]);
        Assert.True(await carol.AcceptPolicyAsync("team", open));
        var refused = carol.Refused;
        Assert.False(await carol.AcceptPolicyAsync("team", open)); // replayed: not news, not an attack
        Assert.Equal(refused, carol.Refused);
        Assert.True(carol.MayReceiveKey(_state, _eve.DeviceId)); // public now: anyone the hub lets in
    }

    [Fact]
    public async Task RemovedMember_CannotBeSlippedBackOnTheLinkItCameBy_ButANewInviteAdmitsIt()
    {
        var carol = Carol();
        await carol.EnterAsync("team", RoomPolicy.First(_alice, "team").ToArray(), [Member(_alice), Member(_carol, InviteFor(_carol))]);
        var link = RoomInvite.Create(_alice, "team", invitee: null, DateTimeOffset.UtcNow.AddDays(1)).ToArray();
        Assert.Null(await carol.AdmitAsync("team", _bob.DeviceId, link));
        Assert.Null(await carol.AdmitAsync("team", _eve.DeviceId, link));

        await carol.ForgetAsync("team", _bob.DeviceId, removed: true);
        Assert.False(carol.MayReceiveKey(_state, _bob.DeviceId));
        Assert.Equal(RoomAdmissionRules.Withdrawn("team"), await Carol().AdmitAsync("team", _bob.DeviceId, link)); // after a restart too
        Assert.True(carol.MayReceiveKey(_state, _eve.DeviceId)); // the link still admits the others who hold it
        Assert.Null(await carol.AdmitAsync("team", _bob.DeviceId, InviteFor(_bob)));

        // One who left (not removed) comes back on the same link.
        await carol.ForgetAsync("team", _eve.DeviceId, removed: false);
        Assert.Null(await carol.AdmitAsync("team", _eve.DeviceId, link));
    }
}
