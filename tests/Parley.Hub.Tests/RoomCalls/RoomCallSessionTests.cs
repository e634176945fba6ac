using System.Buffers.Binary;
using System.Threading.Channels;
using Parley.Core.Calls;
using Parley.Node.RoomCalls;
using Parley.Node.Rooms;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// Three real nodes in a room call through the node's own service (what the page's media channel
/// drives): a frame bigger than a packet arrives whole, with its sender's participant ID, at both
/// others and never back; a state (muted) reaches the others; a leave shows in their lists at once.
/// </summary>
public sealed class RoomCallSessionTests : HubTestBase
{
    [Fact]
    public async Task FramesArriveWhole_AtEveryoneElse_StateAndLeaveAreSeen()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await using var carol = await OnHubAsync("carol");
        await TeamOfAsync(alice, bob, carol);
        var nodes = new[] { alice, bob, carol };
        var services = nodes.Select(n => n.Node.Get<RoomCallService>()).ToArray();
        var infos = new List<RoomCallInfo>();
        foreach (var service in services)
        {
            infos.Add(await service.JoinAsync("#team", video: true));
        }
        var sessions = services.Select(s => s.Current!).ToArray();
        var pages = sessions.Select(s => s.Attach()).ToArray();
        await Wait.UntilAsync(() => sessions.All(s => s.Info().Others.Count == 2), "each sees the two others");

        // A 5,000-byte keyframe from each: whole at both others (four packets each), never back.
        var frame = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var got = new HashSet<(int At, ushort From)>();
        await Wait.UntilAsync(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                sessions[i].SendFromPage(new PageFrame(StreamKind.Video, true, 1, 9000, frame));
            }
            for (var i = 0; i < 3; i++)
            {
                while (pages[i].TryRead(out var item))
                {
                    if (item is RoomCallFrame whole)
                    {
                        Assert.NotEqual(sessions[i].Participant, whole.Participant);
                        Assert.Equal(frame, whole.Frame.Data);
                        Assert.True(whole.Frame.Keyframe);
                        var bytes = RoomCallSession.ForPage(whole);
                        Assert.Equal(whole.Participant, BinaryPrimitives.ReadUInt16BigEndian(bytes));
                        got.Add((i, whole.Participant));
                    }
                }
            }
            return got.Count == 6;
        }, "every frame whole at both others");
        Assert.All(sessions, s => Assert.Equal(0, s.OwnFramesReceived));

        // bob mutes: alice and carol see it.
        sessions[1].SetState(Core.Hub.RoomCalls.RoomCallPeerState.Muted);
        await Wait.UntilAsync(() => new[] { 0, 2 }.All(i => sessions[i].Info().Others.Single(o => o.Participant == sessions[1].Participant).Muted), "bob muted at both others");

        // carol leaves: the others' lists lose her at once; her page hears why and its channel closes.
        var started = DateTime.UtcNow;
        services[2].Leave("team");
        await Wait.UntilAsync(() => sessions[0].Info().Others.Count == 1 && sessions[1].Info().Others.Count == 1, "carol gone at alice and bob");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "a leave is seen within a second");
        Assert.True(await Drained(pages[2]), "carol's page channel closes");
        Assert.Null(services[2].Current);
        Assert.False(services[2].Info("team").InCall);
    }

    private static async Task<bool> Drained(ChannelReader<object> reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await foreach (var _ in reader.ReadAllAsync(timeout.Token))
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
