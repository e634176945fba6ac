using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Core.Tests;

namespace Parley.Hub.Tests.Rules;

/// <summary>
/// Rekeying is charged to whoever causes it: the members told of a join or leave send their new keys
/// on the credit the notice brought, and the member who joined or left pays for the notices.
/// </summary>
public sealed class RoomRekeyTests : WithHubDatabase
{
    /// <summary>The room's creator signs its policy; the others are fake devices.</summary>
    private static readonly NodeIdentity Alice = NodeIdentity.CreateEphemeral();
    private readonly ManualTimeProvider _time = new();

    /// <summary>A public room of four (alice, who made it, bob, carol, mallory) on a hub with <paramref name="options"/>; the clock never moves, so no allowance refills.</summary>
    private async Task<(HubRouter Router, Member[] Members, FakeLink[] Links)> RoomAsync(HubOptions options)
    {
        var members = new FakeMembers(options);
        var log = new RoomLog(new RoomLogStore(Database), options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var router = new HubRouter([new RoomsFeature(new HubRooms(new RoomStore(Database), new RoomPolicyStore(Database)), log, members.Registry, _time)]);
        var joined = new[] { "alice", "bob", "carol", "mallory" }.Select(name => members.Join(name, name == "alice" ? Alice : null)).ToArray();
        var policy = RoomPolicy.First(Alice, "team", isPublic: true).ToArray();
        var command = 0u;
        foreach (var (member, _) in joined)
        {
            var op = command == 0 ? RoomOp.Create : RoomOp.Join;
            await router.RouteAsync(member, FakeMembers.FrameOf(FrameType.RoomCommand, RoomCommand.Of(++command, op, "team", op == RoomOp.Create ? policy : [])));
            await router.RouteAsync(member, FakeMembers.FrameOf(FrameType.RoomSync, new RoomPosition("team", 0))); // read the log from its join on
        }
        return (router, [.. joined.Select(j => j.Member)], [.. joined.Select(j => j.Link)]);
    }

    private static Frame Key(Member from, Member to) => FakeMembers.FrameOf(FrameType.RoomKey, new RoomKey("team", from.Id, to.Id, 1, [1, 2, 3]));

    private static Frame Toggle(uint id) => FakeMembers.FrameOf(FrameType.RoomCommand, new RoomCommand(id, id % 2 == 1 ? RoomOp.Leave : RoomOp.Join, "team"));

    [Fact]
    public async Task KeysAMemberSendsForOthersChanges_AreNotChargedToIt_ButKeysOfItsOwnAre()
    {
        var options = new HubOptions { Home = "unused", TimeProvider = _time, RoomMessagesPerSecond = 2, RequestBurst = 100 };
        var (router, members, _) = await RoomAsync(options);
        var (bob, mallory) = (members[1], members[3]);

        // As his node would, bob rekeys for carol's and mallory's joins: 2 and 3 keys, on the credit those notices brought.
        foreach (var other in (Member[])[members[0], members[2], members[0], members[2], mallory])
        {
            await router.RouteAsync(bob, Key(bob, other));
        }

        // Mallory leaves and joins ten times: each time bob must send the others a new key.
        for (var toggle = 1u; toggle <= 10; toggle++)
        {
            await router.RouteAsync(mallory, Toggle(toggle));
            foreach (var other in members.Where(m => m != bob && (toggle % 2 == 0 || m != mallory)))
            {
                await router.RouteAsync(bob, Key(bob, other));
            }
        }

        // Past that credit, keys are bob's own: his allowance (4 in a burst) and then the link closes.
        for (var own = 0; own < 4; own++)
        {
            await router.RouteAsync(bob, Key(bob, members[0]));
        }
        var error = await Assert.ThrowsAsync<ProtocolException>(() => router.RouteAsync(bob, Key(bob, members[0])).AsTask());
        Assert.Equal("too many room messages (over 2/s)", error.Message);
    }

    [Fact]
    public async Task MemberTogglingItsMembership_PaysForTheNotices_AndIsRefusedPastItsShare_WithoutLosingItsLink()
    {
        var options = new HubOptions { Home = "unused", TimeProvider = _time, RoomNoticesPerSecond = 1, RequestBurst = 100 };
        var (router, members, links) = await RoomAsync(options);
        var mallory = members[3];
        var sent = links[3].Sent.Count;

        // Each leave or join tells the three others: her join spent 3 of a burst of 10, two more changes fit.
        for (var toggle = 1u; toggle <= 3; toggle++)
        {
            await router.RouteAsync(mallory, Toggle(toggle));
        }

        var replies = links[3].Sent.Skip(sent).Select(f => WireMessage.Read<RoomMembersReply>(f.Payload)).ToList();
        Assert.Equal([null, null], replies.Take(2).Select(r => r.Error));
        Assert.StartsWith("you are joining and leaving rooms faster than this hub allows", replies[2].Error, StringComparison.Ordinal);
        Assert.False(links[3].IsClosed);
        Assert.Equal(3, links[0].Received<RoomEntry>(FrameType.RoomEntry).Count(e => e.Kind == RoomEntryKind.Notice && e.Sender == mallory.Id));
    }

    [Fact]
    public async Task KeysHeldForAMemberAway_AreBoundedPerSender_SoAFloodFromOneNeverPushesOutAnothers()
    {
        var options = new HubOptions { Home = "unused", TimeProvider = _time, RoomHeldKeysPerSender = 4, RequestBurst = 1000, RoomMessagesPerSecond = 1000 };
        var (router, members, _) = await RoomAsync(options);
        var (bob, carol, mallory) = (members[1], members[2], members[3]);
        var store = new RoomLogStore(Database);

        await router.RouteAsync(bob, FakeMembers.FrameOf(FrameType.RoomKey, new RoomKey("team", bob.Id, carol.Id, 7, [1, 2, 3])));
        for (var keyId = 100u; keyId < 140; keyId++)
        {
            await router.RouteAsync(mallory, FakeMembers.FrameOf(FrameType.RoomKey, new RoomKey("team", mallory.Id, carol.Id, keyId, [4, 5, 6])));
        }

        var held = store.HeldKeys("team", carol.Id).Select(frame => WireMessage.Read<RoomKey>(frame)).ToList();
        Assert.Contains(held, k => k.From == bob.Id && k.KeyId == 7);
        Assert.Equal(4, held.Count(k => k.From == mallory.Id));
    }
}
