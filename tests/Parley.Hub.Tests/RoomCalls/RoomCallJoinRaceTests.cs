using System.Threading.Channels;
using Parley.Core.Calls;
using Parley.Node.RoomCalls;
using Parley.Node.Rooms;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>Tests that count this process's sockets: they run alone, as another test's sockets would count too.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CountsSockets
{
    public const string Name = "counts the process's sockets";
}

/// <summary>
/// Two joins of one node at once (two tabs pressing Call, a reload while a join is on its way): the node ends
/// in one call whose session is the current one and is fed (the other's frames reach its page), and the
/// join that was overtaken does not leave a pump running for a session nobody holds.
/// </summary>
[Collection(CountsSockets.Name)]
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

    [Fact]
    public async Task MemberJoinAsync_TwiceAtOnce_LeavesNoSocketOfTheOvertakenCallOpen()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await TeamOfAsync(alice, bob);
        var member = alice.Node.Get<RoomCallMember>();
        var before = UdpSockets();
        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(Task.Run(() => member.JoinAsync("team", Parley.Core.Hub.RoomCalls.RoomCallMedia.Audio)),
                Task.Run(() => member.JoinAsync("team", Parley.Core.Hub.RoomCalls.RoomCallMedia.Audio)));
            Assert.NotNull(member.Participant);
        }
        member.Leave();
        // Every call's socket closed: five rounds of two joins leave none behind (before, the overtaken join's stayed open with its loops).
        await Wait.UntilAsync(() => UdpSockets() <= before, $"UDP sockets back to {before} (now {UdpSockets()})");
    }

    /// <summary>This process's open UDP sockets (the kernel's table, by the socket inodes among our descriptors).</summary>
    private static int UdpSockets()
    {
        var ours = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                ours.Add(target[8..^1]);
            }
        }
        return File.ReadLines("/proc/net/udp").Concat(File.ReadLines("/proc/net/udp6")).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(fields => fields.Length > 9 && ours.Contains(fields[9]));
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
