using System.Net;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Rooms;
using Parley.Node.Storage;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.Attacks;

/// <summary>
/// A stranger on the hub (a real TLS client with its own identity) tries every way into an
/// invite-only room: no invite, an invite it signed itself, an owner's invite made for someone else,
/// an owner's link for another room, taking over the policy, removing the owner, listing the members.
/// Each is refused with its reason, its link stays up, and the members hear nothing.
/// </summary>
public sealed class RoomAdmissionAttackTests : HubTestBase
{
    [Fact]
    public async Task Stranger_TryingEveryWayIntoAnInviteOnlyRoom_IsRefusedEachTime_AndTheMembersHearNothing()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await alice.Node.Rooms.CreateAsync("team");
        await alice.Node.Get<RoomOwnership>().InviteAsync("team", bob.Id.ToString());
        await bob.Node.Rooms.JoinAsync("team");
        await alice.Node.Rooms.CreateAsync("other");
        var aliceIdentity = alice.Node.Get<NodeIdentity>();
        // Counted once bob has read the room up to the hub's head and the invitation told him directly is stored too.
        var bobInTeam = bob.Node.Get<RoomBook>().Find("team")!;
        await Wait.UntilAsync(() => bobInTeam.SyncHead > 0 && bobInTeam.Position >= bobInTeam.SyncHead, "bob to read the room");
        await Task.Delay(200);
        var noticesBefore = (await bob.Node.RoomChat.HistoryAsync("team", 100)).Count(m => m.State == MessageState.Notice);

        await using var mallory = await AttackerLink.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Hub.Port));
        var later = DateTimeOffset.UtcNow.AddDays(1);
        (RoomOp Op, byte[] Blob, string Refusal)[] attempts =
        [
            (RoomOp.Join, [], "#team is invite-only: ask an owner for an invite"),
            (RoomOp.Join, RoomInvite.Create(mallory.Identity, "team", mallory.Identity.DeviceId, later).ToArray(), "that invite to #team was not made by an owner"),
            (RoomOp.Join, RoomInvite.Create(aliceIdentity, "team", bob.Id, later).ToArray(), "that invite to #team is for another device"),
            (RoomOp.Join, RoomInvite.Create(aliceIdentity, "other", null, later).ToArray(), "that is not a valid invite to #team"),
            (RoomOp.Join, RoomInvite.Create(aliceIdentity, "team", null, DateTimeOffset.UtcNow.AddSeconds(-1)).ToArray(), "that invite to #team has expired: ask an owner for a new one"),
            (RoomOp.Policy, RoomPolicy.Create(mallory.Identity, "team", 2, true, "mine", [mallory.Identity.DeviceId]).ToArray(), "only an owner of #team may do that"),
            (RoomOp.Remove, alice.Id.Bytes.ToArray(), "only an owner of #team may do that"),
            (RoomOp.Invite, RoomInvite.Create(mallory.Identity, "team", mallory.Identity.DeviceId, later).ToArray(), "only an owner of #team may do that"),
            (RoomOp.Members, [], "#team is invite-only: only its members and those invited see who is in it"),
            (RoomOp.Create, RoomPolicy.First(aliceIdentity, "fresh").ToArray(), "creating #fresh needs its first policy, signed by you as its owner"),
        ];
        var command = 0u;
        foreach (var (op, blob, refusal) in attempts)
        {
            var room = op == RoomOp.Create ? "fresh" : "team";
            await mallory.SendAsync(FrameType.RoomCommand, RoomCommand.Of(++command, op, room, blob));
            var reply = await ReplyAsync(mallory, command);
            Assert.Equal(refusal, reply.Error);
            Assert.Empty(reply.Members);
            Assert.Empty(reply.Policy);
        }

        Assert.True(Hub.Online.Contains(mallory.Identity.DeviceId), "a refused command is not a reason to drop the link");
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), (await alice.Node.Rooms.MembersAsync("team")).Select(m => m.DeviceId).Order());
        await Task.Delay(200);
        Assert.Equal(noticesBefore, (await bob.Node.RoomChat.HistoryAsync("team", 100)).Count(m => m.State == MessageState.Notice));
        Assert.Equal(0, alice.Node.Get<RoomAdmission>().Refused + bob.Node.Get<RoomAdmission>().Refused);
    }

    /// <summary>The hub's reply to command <paramref name="id"/>, skipping any other frame (presence and the like).</summary>
    private static async Task<RoomMembersReply> ReplyAsync(AttackerLink link, uint id)
    {
        while (await link.ReadFrameAsync(TimeSpan.FromSeconds(5)) is { } frame)
        {
            if (frame.Type == FrameType.RoomReply && WireMessage.Read<RoomMembersReply>(frame.Payload) is { } reply && reply.CommandId == id)
            {
                return reply;
            }
        }
        throw new TimeoutException($"no reply to room command {id}");
    }
}
