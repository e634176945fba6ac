using System.Diagnostics;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.Cli.Tests;

/// <summary>
/// Rooms between separate <c>parley up</c> processes on one <c>parley hub</c> process: the shape in
/// which a member lost messages (issue 16) while the in-process room tests passed.
/// </summary>
public sealed class RoomProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-rooms-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// Issue 16 as reported: alice creates, bob and carol join, alice says m1 and (later) m2, bob says
    /// from-b; carol never got alice's messages. The bug showed on some tries only (a key that came
    /// before the joiner knew it was in the room was dropped), so three fresh rooms are tried.
    /// </summary>
    [Fact]
    public async Task ThreeProcesses_CreateJoinJoinSend_EveryMemberGetsAllThreeMessages_InThreeFreshRooms()
    {
        await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "bob", "carol"]);
        var (alice, bob, carol) = (cluster["alice"], cluster["bob"], cluster["carol"]);
        var failures = new List<string>();
        foreach (var room in new[] { "team", "team-2", "team-3" })
        {
            await cluster.CreateAsync(alice, room);
            await cluster.JoinAsync(alice, bob, room);
            await cluster.JoinAsync(alice, carol, room);
            string[] texts = [$"m1 in {room} 7f3a", $"m2 in {room} 7f3a", $"from-b in {room} 7f3a"];
            await alice.MustAsync("chat", "#" + room, texts[0]);
            await Task.Delay(500); // "later m2"
            await alice.MustAsync("chat", "#" + room, texts[1]);
            await bob.MustAsync("chat", "#" + room, texts[2]);

            var watch = Stopwatch.StartNew();
            var members = new[] { alice, bob, carol };
            var complete = await RoomCluster.WaitAsync(async () =>
            {
                foreach (var member in members)
                {
                    var have = (await member.HistoryAsync(room)).Select(m => m.Text).ToHashSet();
                    if (!texts.All(have.Contains))
                    {
                        return false;
                    }
                }
                return true;
            }, TimeSpan.FromSeconds(10));
            output.WriteLine($"#{room}: {(complete ? $"all three messages everywhere in {watch.ElapsedMilliseconds} ms" : "not complete within 10 s")}");
            foreach (var member in members)
            {
                // Read through the verb itself once: what a user runs shows the same.
                var history = await member.HistoryViaCliAsync(room);
                var missing = texts.Where(t => !history.Any(m => m.Text == t)).ToList();
                if (missing.Count > 0)
                {
                    failures.Add($"#{room}: {member.Name} is missing {string.Join(", ", missing.Select(t => $"'{t}'"))}; it has: "
                        + string.Join(" | ", history.Select(m => $"{m.State}:{m.Text}")));
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\n" + cluster.Logs());
    }

    /// <summary>
    /// Five members (processes) send while members join, leave, are killed with SIGKILL and come back.
    /// In the end each has every message sent while it was in the room, each sender's in order, none
    /// waiting for a key, and none sent while it was out. The bench's rooms-churn runs it with 1,000.
    /// </summary>
    [Fact]
    public async Task FiveProcesses_SendWhileMembersJoinLeaveAndAreKilled_EachHasWhatWasSentWhileIn_InOrder_NothingUnopened()
    {
        var options = new ChurnOptions();
        await using var cluster = await RoomCluster.StartAsync(_root, Enumerable.Range(0, options.Members).Select(i => $"m{i}"));
        var report = await RoomChurn.RunAsync(cluster, options, line => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"));

        Assert.True(report.Holds, report.Details() + "\n" + cluster.Logs());
        Assert.True(report.Kills > 0 && report.Leaves > 0 && report.Joins > options.Members - 2, "the run had too little churn to prove anything: " + report.Summary);
        Assert.Empty(cluster.PlaintextAtHub(options.Marker));
    }

    /// <summary>A member killed with SIGKILL misses 500 messages; started again, it has all 500 in order, and the hub kept none readable.</summary>
    [Fact]
    public async Task MemberKilledWhile500AreSent_Restarts_AndHasAll500InOrder_AndTheHubHoldsNoPlaintext()
    {
        const string marker = "kx4-catchup-marker";
        const int count = 500;
        await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "bob"]);
        var (alice, bob) = (cluster["alice"], cluster["bob"]);
        await cluster.CreateAsync(alice, "team");
        await cluster.JoinAsync(alice, bob, "team");
        var (sending, restarted, watch) = await RoomCluster.MissAndReturnAsync(alice, bob, "team", Enumerable.Range(0, count).Select(i => $"{marker} {i}"));
        output.WriteLine($"alice sent {count} in {sending.TotalMilliseconds:0} ms");
        List<RoomLine> have = [];
        var caughtUp = await RoomCluster.WaitAsync(async () =>
        {
            have = [.. (await bob.HistoryAsync("team")).Where(m => !m.IsNotice)];
            return have.Count(m => m.Text.StartsWith(marker, StringComparison.Ordinal)) >= count;
        }, TimeSpan.FromSeconds(30));
        output.WriteLine($"bob up again in {restarted.TotalMilliseconds:0} ms; {(caughtUp ? "caught up" : "NOT caught up")} {watch.ElapsedMilliseconds} ms after the restart");

        var texts = have.Where(m => m.Text.StartsWith(marker, StringComparison.Ordinal)).Select(m => m.Text).ToList();
        Assert.True(caughtUp, $"bob has {texts.Count} of {count} (and {have.Count(m => m.IsWaitingForKey)} waiting for a key) 30 s after his restart\n{cluster.Logs()}");
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{marker} {i}"), texts);
        Assert.DoesNotContain(have, m => m.IsWaitingForKey);
        Assert.Empty(cluster.PlaintextAtHub(marker));
    }
}
