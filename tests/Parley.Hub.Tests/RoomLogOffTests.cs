using Parley.Node.Chat;
using Parley.Node.Rooms;
using Parley.Node.Storage;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests;

/// <summary>
/// A hub without a room log (`parley hub --room-log off`, the old fan-out kept for comparison) numbers
/// a room's entries from 1 again after a restart: members that read far beyond that must still read
/// what follows, not ignore it as old.
/// </summary>
public sealed class RoomLogOffTests : HubTestBase
{
    protected override HubOptions Options(int port) => base.Options(port) with { RoomLog = false };

    [Fact]
    public async Task AfterAHubRestart_MembersStillGetNewMessages()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await alice.Node.Rooms.CreateAsync("team", isPublic: true);
        // Without a log, alice hears of bob's join (and hands him her key) only if she reads the room by then.
        var aliceInTeam = alice.Node.Get<RoomBook>().Find("team")!;
        await Wait.UntilAsync(() => aliceInTeam.SyncHead > 0, "alice to read the room");
        await bob.Node.Rooms.JoinAsync("team");
        // Without a log a member gets only what is said while it reads, so alice says things until bob has read one.
        await SayUntilBobReadsAsync(alice, bob, "before");
        for (var i = 1; i <= 30; i++)
        {
            await alice.Node.RoomChat.SendAsync("team", $"more {i}"); // bob's place goes well past what a restart numbers from
        }
        await Wait.UntilAsync(async () => (await Texts(bob)).Contains("more 30"), "bob to read them all");

        var port = Hub.Port;
        await Hub.DisposeAsync();
        var bobInTeam = bob.Node.Get<RoomBook>().Find("team")!;
        bobInTeam.SyncHead = 0; // set again by the sync that answers his rejoin
        Hub = StartHub(port);
        await Wait.UntilAsync(() => Hub.Online.Contains(alice.Id) && Hub.Online.Contains(bob.Id) && bobInTeam.SyncHead > 0, "both back in the room");
        var said = await SayUntilBobReadsAsync(alice, bob, "after");
        Assert.True(said <= 20, $"alice said {said} things before bob read one"); // not the 30-odd it takes to pass his old place
    }

    private static async Task<int> SayUntilBobReadsAsync(TestNode alice, TestNode bob, string prefix)
    {
        var said = 0;
        await Wait.UntilAsync(async () =>
        {
            if ((await Texts(bob)).Any(t => t.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return true;
            }
            try
            {
                await alice.Node.RoomChat.SendAsync("team", $"{prefix} {said + 1}");
                said++; // counted once the hub has it
            }
            catch (ChatException)
            {
                // rejoining the room after the restart is still under way
            }
            await Task.Delay(200);
            return false;
        }, $"bob to read something alice said {prefix} the restart");
        return said;
    }

    private static async Task<List<string>> Texts(TestNode node) =>
        [.. (await node.Node.RoomChat.HistoryAsync("team", 1000)).Where(m => m.State != MessageState.Notice).Select(m => m.Text)];
}
