using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Hub;

/// <summary>Room policies and invites: signed by an owner or worth nothing, whoever (the hub included) passes them on.</summary>
public sealed class RoomStatementTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
    private readonly NodeIdentity _alice = NodeIdentity.CreateEphemeral();
    private readonly NodeIdentity _bob = NodeIdentity.CreateEphemeral();
    private readonly NodeIdentity _eve = NodeIdentity.CreateEphemeral();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
        _eve.Dispose();
    }

    [Fact]
    public void Policy_ChainsOnlyThroughOwners_AndAnyChangedByteBreaksIt()
    {
        var first = RoomPolicy.First(_alice, "team");
        Assert.True(first.IsSelfSigned());
        Assert.Equal((1u, false, ""), (first.Version, first.Public, first.Topic));
        var read = WireMessage.Read<RoomPolicy>(first.ToArray());
        Assert.True(read.IsSelfSigned());
        Assert.Equal(_alice.DeviceId, read.Signer);

        var second = RoomPolicy.Create(_alice, "team", 2, isPublic: true, "plans", [_alice.DeviceId, _bob.DeviceId]);
        Assert.True(second.Follows(first));
        var third = RoomPolicy.Create(_bob, "team", 3, isPublic: false, "bob's plans", [_bob.DeviceId]);
        Assert.True(third.Follows(second));
        Assert.False(third.Follows(first)); // bob was no owner of version 1

        Assert.False(RoomPolicy.Create(_eve, "team", 2, true, "", [_eve.DeviceId]).Follows(first));
        Assert.False(RoomPolicy.Create(_alice, "team", 1, true, "", [_alice.DeviceId]).Follows(first)); // not a higher version
        Assert.False(RoomPolicy.Create(_alice, "other", 2, true, "", [_alice.DeviceId]).Follows(first));
        Assert.False((second with { Topic = "changed" }).Follows(first));
        Assert.False((second with { Public = false }).Follows(first));
        Assert.False((second with { SignerKey = _bob.Certificate.PublicKey.ExportSubjectPublicKeyInfo() }).Follows(first));
        Assert.False((first with { Owners = [_eve.DeviceId] }).IsSelfSigned());
    }

    [Fact]
    public void Invite_AsALink_SurvivesPasting_AndATamperedLinkIsNotAnInvite()
    {
        var invite = RoomInvite.Create(_alice, "team", invitee: null, Now.AddDays(1));
        Assert.True(invite.IsLink && invite.Admits(_eve.DeviceId) && invite.Verify());
        var link = invite.ToLink();
        Assert.StartsWith("parley-room:", link, StringComparison.Ordinal);
        Assert.True(RoomInvite.TryParseLink("  " + link[..20] + "\n " + link[20..] + " ", out var pasted));
        Assert.Equal(invite.ToArray(), pasted.ToArray());
        var flipped = link[..^3] + (link[^3] == 'A' ? 'B' : 'A') + link[^2..];
        Assert.False(RoomInvite.TryParseLink(flipped, out var tampered) && tampered.Verify());
        Assert.False(RoomInvite.TryParseLink("parley://not-a-room", out _));
        Assert.False(RoomInvite.TryParseLink("parley-room:!!!", out _));

        var forBob = RoomInvite.Create(_alice, "team", _bob.DeviceId, Now.AddDays(1));
        Assert.True(forBob.Admits(_bob.DeviceId));
        Assert.False(forBob.Admits(_eve.DeviceId));
        Assert.False((forBob with { Invitee = _eve.DeviceId }).Verify());
    }

    [Fact]
    public void AdmissionRules_LetInOwnersAnyoneWhenPublic_AndHoldersOfAnOwnersUnexpiredInvite_AndSayWhyNot()
    {
        var policy = RoomPolicy.First(_alice, "team");
        var forBob = RoomInvite.Create(_alice, "team", _bob.DeviceId, Now.AddHours(1)).ToArray();
        Assert.Null(RoomAdmissionRules.Refusal(policy, _alice.DeviceId, default, Now));
        Assert.Null(RoomAdmissionRules.Refusal(policy, _bob.DeviceId, forBob, Now));
        Assert.Null(RoomAdmissionRules.Refusal(RoomPolicy.First(_alice, "team", isPublic: true), _eve.DeviceId, default, Now));

        Assert.Equal("#team is invite-only: ask an owner for an invite", RoomAdmissionRules.Refusal(policy, _eve.DeviceId, default, Now));
        Assert.Equal("that invite to #team is for another device", RoomAdmissionRules.Refusal(policy, _eve.DeviceId, forBob, Now));
        Assert.Equal("that invite to #team has expired: ask an owner for a new one", RoomAdmissionRules.Refusal(policy, _bob.DeviceId, forBob, Now.AddHours(2)));
        Assert.Null(RoomAdmissionRules.Refusal(policy, _bob.DeviceId, forBob, now: null)); // admitted back then: its expiry no longer matters
        var byEve = RoomInvite.Create(_eve, "team", _eve.DeviceId, Now.AddHours(1)).ToArray();
        Assert.Equal("that invite to #team was not made by an owner", RoomAdmissionRules.Refusal(policy, _eve.DeviceId, byEve, Now));
        var elsewhere = RoomInvite.Create(_alice, "other", _bob.DeviceId, Now.AddHours(1)).ToArray();
        Assert.Equal("that is not a valid invite to #team", RoomAdmissionRules.Refusal(policy, _bob.DeviceId, elsewhere, Now));
        Assert.Equal("that is not a valid invite to #team", RoomAdmissionRules.Refusal(policy, _bob.DeviceId, new byte[] { 1, 2, 3 }, Now));
    }
}
