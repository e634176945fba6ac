using System.Threading.Channels;
using Parley.Core.Calls;
using Parley.Node.RoomCalls;
using Parley.Node.Rooms;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// Two joins of one node at once (two tabs pressing Call, a reload while a join is on its way): the node ends
/// in one call whose session is the current one and is fed (the other's frames reach its page), and the
/// join that was overtaken does not leave a pump running for a session nobody holds.
/// </summary>
public sealed class RoomCallJoinRaceTests : HubTestBase
{
    [Fact]
    public async Task JoinAsync_TwiceAtOnce_CurrentSessionGetsTheOthersFrames()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await TeamOfAsync(alice, bob);
        var aliceCalls = alice.Node.Get<RoomCallService>();
        var bobCalls = bob.Node.Get<RoomCallService>();
        await bobCalls.JoinAsync("#team", video: false);
        var bobSession = bobCalls.Current!;
        for (var round = 0; round < 6; round++)
        {
            var joins = new[] { Task.Run(() => aliceCalls.JoinAsync("#team", video: false)), Task.Run(() => aliceCalls.JoinAsync("#team", video: false)) };
            await Task.WhenAll(joins.Select(j => j.ContinueWith(_ => { }, TaskScheduler.Default)));
            var session = aliceCalls.Current;
            Assert.True(session is not null, "no call after two joins: " + string.Join(" | ", joins.Select(j => j.Exception?.InnerException?.Message ?? "joined")));
            Assert.Null(session.EndReason);
            var page = session.Attach();
            await Wait.UntilAsync(() => session.Info().Others.Count == 1 && bobSession.Info().Others.Count == 1, "alice and bob see each other");
            Assert.True(await Receives(page, () => bobSession.SendFromPage(new PageFrame(StreamKind.Audio, false, 2, 1, new byte[40]))),
                $"round {round}: alice's current session gets bob's frames");
            session.Detach(page);
        }
    }

    private static async Task<bool> Receives(ChannelReader<object> page, Action send)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < until)
        {
            send();
            await Task.Delay(50);
            while (page.TryRead(out var item))
            {
                if (item is RoomCallFrame)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
