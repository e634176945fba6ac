using System.Net;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Hub;
using Parley.Node.Storage;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.Attacks;

/// <summary>
/// Every join or leave makes each member of the room hand out a new sender key to every other: a
/// stranger toggling its membership as fast as its request rate allows makes the others send keys
/// they did not choose to. That traffic is not charged to them, so their hub links stay up.
/// </summary>
public sealed class RoomRekeyStormTests : HubTestBase
{
    /// <summary>A room allowance of 20 a second: three members rekeying for a stranger's 19 toggles a second would each pass it.</summary>
    protected override HubOptions Options(int port) => base.Options(port) with { RoomMessagesPerSecond = 20 };

    [Fact]
    public async Task StrangerTogglingJoinAndLeave_AtItsRequestRate_DoesNotGetTheMembersLinksClosed()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await using var carol = await OnHubAsync("carol");
        await alice.Node.Rooms.CreateAsync("team", isPublic: true); // a public room: the stranger may come and go
        await bob.Node.Rooms.JoinAsync("team");
        await carol.Node.Rooms.JoinAsync("team");
        TestNode[] members = [alice, bob, carol];
        var links = members.Select(m => m.Node.Get<HubChannel>().Link).ToList();

        // The stranger publishes an entry (so the members can seal keys to it) and toggles 19 times a second for 3 s.
        await using var mallory = await AttackerLink.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Hub.Port));
        using var key = AgreementKey.CreateEphemeral();
        await mallory.SendAsync(FrameType.DirectoryPublish, DirectoryEntry.Create(mallory.Identity, "mallory", key.PublicKey, DateTimeOffset.UtcNow));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        for (var command = 1u; DateTime.UtcNow < until; command++)
        {
            await mallory.SendAsync(FrameType.RoomCommand, new RoomCommand(command, command % 2 == 1 ? RoomOp.Join : RoomOp.Leave, "team"));
            await Task.Delay(1000 / 19);
        }
        await Task.Delay(TimeSpan.FromSeconds(1)); // the last rekeys

        Assert.True(Hub.Online.Contains(mallory.Identity.DeviceId), "the stranger stayed within its own limits");
        for (var i = 0; i < members.Length; i++)
        {
            var link = links[i]!;
            var closed = link.IsClosed ? (await link.Closed).Reason : null;
            Assert.True(closed is null, $"{members[i].Node.Name}'s hub link was closed: {closed}");
            Assert.Same(link, members[i].Node.Get<HubChannel>().Link);
        }
        await Wait.UntilAsync(async () =>
        {
            await alice.Node.RoomChat.SendAsync("team", "after the storm");
            await Task.Delay(200);
            return (await bob.Node.RoomChat.HistoryAsync("team", 500)).Any(m => m.State != MessageState.Notice && m.Text == "after the storm");
        }, "the room to work after the storm");
    }
}
