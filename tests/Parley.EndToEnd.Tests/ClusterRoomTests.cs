using NATS.Client.Core;
using NATS.Client.JetStream;
using Parley.Core.Hub.Rooms;
using Parley.Core.Protocol;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Issue 23's rooms across hubs: three `parley hub --cluster` processes over a three-server NATS
/// cluster, one room with a member on each hub (nodes as `parley up` processes). Every post reaches
/// every member once and in the room's order; a member away comes back on another hub and catches up;
/// the room's creator's hub is killed with SIGKILL and the room goes on through the others.
/// </summary>
public sealed class ClusterRoomTests(ITestOutputHelper output) : IDisposable
{
    private const string Room = "team";
    private readonly string _root = Directory.CreateTempSubdirectory("parley-clusterrooms-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<HubProcess> StartHub(NatsServers nats, string name) => HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), "--port", "0",
        "--cluster", nats.Urls, "--identity", Path.Combine(_root, "hub-identity.pem"));

    /// <summary>The invite <paramref name="hub"/> prints once it lists all three hubs (its own first): a node on it fails over to the others.</summary>
    private async Task<string> FullInviteAsync(string hub)
    {
        var invite = "";
        await Plumbing.Eventually<bool>(async () =>
            HubProcess.InvitePorts(invite = (await ParleyRunner.Local.RunAsync("--home", Path.Combine(_root, hub), "hub", "invite")).Out.Trim()).Distinct().Count() == 3 ? true : null,
            $"{hub}'s invite to list all three hubs");
        return invite;
    }

    private async Task<ClusterNode> StartNode(string name, string invite)
    {
        var node = new ClusterNode(ParleyRunner.Local, name, Path.Combine(_root, name), ["--port", "0", "--api-port", "0", "--no-discovery", "--hub", invite]);
        await node.StartAsync();
        return node;
    }

    /// <summary>Waits until each member has every one of <paramref name="texts"/>, then checks each has them once, opened, in one order: the room's.</summary>
    private static async Task EveryoneHasAsync(IReadOnlyList<ClusterNode> members, IReadOnlyCollection<string> texts, string when)
    {
        var histories = new Dictionary<string, List<RoomLine>>();
        var complete = await RoomCluster.WaitAsync(async () =>
        {
            foreach (var member in members)
            {
                histories[member.Name] = [.. (await member.FullHistoryAsync(Room)).Where(m => !m.IsNotice && texts.Contains(m.Text))];
            }
            return histories.Values.All(h => h.Count(m => !m.IsWaitingForKey) >= texts.Count);
        }, TimeSpan.FromSeconds(60));
        var have = string.Join("\n", histories.Select(h => $"{h.Key}: {h.Value.Count} of {texts.Count}, {h.Value.Count(m => m.IsWaitingForKey)} waiting for a key; lacks "
            + string.Join(", ", texts.Where(t => !h.Value.Any(m => m.Text == t && !m.IsWaitingForKey)))
            + "; " + string.Join(" ", h.Value.Where(m => m.Outgoing).Select(m => $"{m.Text}={m.State}@{m.RoomSeq}"))));
        Assert.True(complete, $"{when}: not every member has every post within 60 s\n{have}\n"
            + string.Join("\n", members.Select(m => $"--- {m.Name}\n{string.Join('\n', m.Output.Split('\n').TakeLast(15))}")));
        var order = histories[members[0].Name].OrderBy(m => m.RoomSeq).Select(m => m.Text).ToList();
        foreach (var (name, history) in histories)
        {
            Assert.Equal(texts.Count, history.Count); // once each
            Assert.Equal(texts.Count, history.Select(m => m.RoomSeq).Distinct().Count()); // one number each, whichever hub took it
            Assert.Equal(order, history.OrderBy(m => m.RoomSeq).Select(m => m.Text).ToList()); // the same order at everyone
        }
    }

    [Fact]
    public async Task RoomSpreadOverThreeHubs_EveryPostOnceInOrder_AMemberCatchesUpOnAnotherHub_AndTheRoomOutlivesAKilledHub()
    {
        await using var nats = await NatsServers.StartAsync(3);
        var hub1 = await StartHub(nats, "hub1");
        await using var hub2 = await StartHub(nats, "hub2");
        await using var hub3 = await StartHub(nats, "hub3");
        var alice = await StartNode("alice", await FullInviteAsync("hub1"));
        var bob = await StartNode("bob", await FullInviteAsync("hub2"));
        var carol = await StartNode("carol", await FullInviteAsync("hub3"));
        ClusterNode[] members = [alice, bob, carol];
        try
        {
            await RunAsync(nats, [hub1, hub2, hub3], members);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- hub 1\n{hub1.Output}\n--- hub 2\n{hub2.Output}", e);
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
            await hub1.DisposeAsync();
        }
    }

    private async Task RunAsync(NatsServers nats, HubProcess[] hubs, ClusterNode[] members)
    {
        var hub1 = hubs[0];
        var (alice, bob, carol) = (members[0], members[1], members[2]);
        {
            // Created on hub 1, invites by hub 1, joins through hubs 2 and 3: membership, policy and invites are the cluster's.
            await alice.MustAsync("room", "create", Room);
            foreach (var joiner in new[] { bob, carol })
            {
                await alice.MustAsync("room", "invite", "#" + Room, joiner.DeviceId);
                await joiner.MustAsync("room", "join", Room);
            }

            // Each posts through its own hub, all at once: one numbering, every post everywhere once, in one order.
            var first = new List<string>();
            await Task.WhenAll(members.Select(async member =>
            {
                for (var i = 0; i < 10; i++)
                {
                    await member.SendAsync(Room, $"{member.Name} {i}");
                }
            }));
            first.AddRange(members.SelectMany(m => Enumerable.Range(0, 10).Select(i => $"{m.Name} {i}")));
            await EveryoneHasAsync(members, first, "posting from three hubs");

            // Junk and forgeries put straight into NATS (by anyone who can reach it) are skipped with a log line; the room goes on.
            await using (var client = new NatsConnection(NatsOpts.Default with { Url = nats.Urls }))
            {
                var js = new NatsJSContext(client);
                var junk = new byte[300];
                new Random(23).NextBytes(junk);
                var otherRoom = new RoomEntry("other", 999, DateTimeOffset.UtcNow, RoomEntryKind.Message, default, [1, 2, 3]).ToArray();
                foreach (var (subject, data) in new[] { ("parley.room.log." + Room, junk), ("parley.room.log." + Room, otherRoom), ("parley.roomstate." + Room, junk),
                    ("parley.room.key." + Room, junk), ("parley.room.keyack." + Room, junk), ("parley.room.log." + Room, new byte[RoomEntry.MaxSize + 1]) })
                {
                    (await js.PublishAsync(subject, data)).EnsureSuccess();
                }
            }
            await Plumbing.Eventually<bool>(() => Task.FromResult(hubs.All(h => h.Output.Split('\n').Count(l => l.Contains("dropped a malformed", StringComparison.Ordinal)) >= 5) ? true : (bool?)null),
                "every hub to drop the junk");

            // Carol goes away (SIGKILL); 40 posts meanwhile; she comes back on hub 1 and catches up from the shared log.
            await carol.KillAsync();
            var whileAway = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                foreach (var member in new[] { alice, bob })
                {
                    var text = $"away {member.Name} {i}";
                    await member.SendAsync(Room, text);
                    whileAway.Add(text);
                }
            }
            carol = members[2] = await StartNode("carol", await FullInviteAsync("hub1"));
            Assert.Contains("linked with hub", carol.Output, StringComparison.Ordinal);
            Assert.Contains($":{HubProcess.InvitePorts(hub1.Invite)[0]}", carol.Output, StringComparison.Ordinal);
            await EveryoneHasAsync(members, [.. first, .. whileAway], "carol back on hub 1");

            // Hub 1 (alice's and now carol's) dies with SIGKILL: they move to hubs 2 and 3 and the room goes on, nothing lost.
            await hub1.DisposeAsync();
            var port1 = $":{HubProcess.InvitePorts(hub1.Invite)[0]}";
            var after = new List<string>();
            foreach (var member in members)
            {
                var text = $"after {member.Name}";
                await Plumbing.Eventually<bool>(async () =>
                {
                    try
                    {
                        await member.SendAsync(Room, text);
                        return true;
                    }
                    catch (HttpRequestException)
                    {
                        return null; // still moving to another hub
                    }
                }, $"{member.Name} to post after hub 1 died", 60);
                after.Add(text);
            }
            await EveryoneHasAsync(members, [.. first, .. whileAway, .. after], "after hub 1 was killed");
            output.WriteLine($"{first.Count + whileAway.Count + after.Count} posts at all three members once, in one order; hub 1 ({port1}) killed mid-room");
        }
    }
}
