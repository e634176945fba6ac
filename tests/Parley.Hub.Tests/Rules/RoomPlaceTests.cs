using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Core.Tests;

namespace Parley.Hub.Tests.Rules;

/// <summary>
/// Membership and the room log agree: a member the hub lists but whose join notice never made it into
/// the log (the log failed after membership was stored) is not left listed and unable to read — its
/// next join is a join again, notice, place and all.
/// </summary>
public sealed class RoomPlaceTests : WithHubDatabase
{
    private static readonly NodeIdentity Alice = NodeIdentity.CreateEphemeral();

    [Fact]
    public async Task AMemberWithoutAPlaceInTheLog_JoinsAgain_AndReadsFromItsNewJoin()
    {
        var options = new HubOptions { Home = "unused", TimeProvider = new ManualTimeProvider(), RequestBurst = 100 };
        var members = new FakeMembers(options);
        var log = new RoomLog(new RoomLogStore(Database), options, NullLogger.Instance);
        var router = new HubRouter([new RoomsFeature(new HubRooms(new RoomStore(Database), new RoomPolicyStore(Database)), log, members.Registry, options.TimeProvider)]);
        var (alice, aliceLink) = members.Join("alice", Alice);
        var (bob, bobLink) = members.Join("bob");
        await router.RouteAsync(alice, FakeMembers.FrameOf(FrameType.RoomCommand, RoomCommand.Of(1, RoomOp.Create, "team", RoomPolicy.First(Alice, "team", isPublic: true).ToArray())));
        await router.RouteAsync(bob, FakeMembers.FrameOf(FrameType.RoomCommand, RoomCommand.Of(2, RoomOp.Join, "team", [])));
        Assert.True(log.HasPlace("team", bob.Id));

        log.Forget("team", bob.Id); // as if his join notice had never been stored
        await router.RouteAsync(bob, FakeMembers.FrameOf(FrameType.RoomCommand, RoomCommand.Of(3, RoomOp.Join, "team", [])));

        Assert.Null(bobLink.Received<RoomMembersReply>(FrameType.RoomReply).Last().Error);
        Assert.True(log.HasPlace("team", bob.Id));
        var sent = bobLink.Sent.Count;
        await router.RouteAsync(bob, FakeMembers.FrameOf(FrameType.RoomSync, new RoomPosition("team", 0)));
        Assert.Contains(bobLink.Sent.Skip(sent), f => f.Type == FrameType.RoomSyncState);
        GC.KeepAlive(aliceLink);
    }
}
