using System.Diagnostics;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Presence;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>
/// `parley hub --cluster`: two hub processes sharing one identity and their state in a three-server
/// NATS JetStream cluster on loopback, with nodes as `parley up` processes on either hub.
/// </summary>
public sealed class ClusterProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-cluster-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string IdentityFile => Path.Combine(_root, "hub-identity.pem");

    private Task<HubProcess> StartHub(NatsServers nats, string name) =>
        HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), "--port", "0", "--cluster", nats.Urls, "--identity", IdentityFile);

    private Task<NodeProcess> StartNode(string name, string invite) =>
        NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), "--port", "0", "--api-port", "0", "--no-discovery", "--name", name, "--hub", invite);

    private static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never: {what}");
            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement?> WhoisAsync(NodeProcess asker, string name)
    {
        var result = await asker.CliAsync("whois", name, "--json");
        return result.ExitCode == 0 && result.Json.GetArrayLength() == 1 ? result.Json[0] : null;
    }

    private static async Task<string?> StateOf(NodeProcess node, string peer, string text) =>
        (await node.CliAsync("history", peer, "--json")).Json.EnumerateArray()
            .Where(m => m.GetProperty("text").GetString() == text).Select(m => m.GetProperty("state").GetString()).FirstOrDefault();

    private static async Task<string> IdOf(NodeProcess node) => (await node.StatusAsync()).GetProperty("deviceId").GetString()!;

    [Fact]
    public async Task MembersOnDifferentHubs_WhoisAddAndChat_AndMailReachesAnOfflineMemberBackOnTheOtherHub()
    {
        await using var nats = await NatsServers.StartAsync(3);
        await using var hub1 = await StartHub(nats, "hub1");
        await using var hub2 = await StartHub(nats, "hub2");
        Assert.True(File.Exists(IdentityFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(IdentityFile));
        Assert.Equal(hub1.Invite.Split('?')[0], hub2.Invite.Split('?')[0]); // one identity, one device ID

        await using var alice = await StartNode("alice", hub1.Invite);
        var bob = await StartNode("bob", hub2.Invite);
        try
        {
            var aliceId = await IdOf(alice);
            var bobId = await IdOf(bob);
            // The directory and presence are the cluster's: alice (hub 1) finds bob (hub 2), signed and online.
            await Eventually(async () => await WhoisAsync(alice, "bob") is { } b && b.GetProperty("online").GetBoolean(), "alice's whois to find bob online");
            Assert.True((await WhoisAsync(alice, "bob"))!.Value.GetProperty("signatureValid").GetBoolean());
            Assert.Equal(bobId, (await WhoisAsync(alice, "bob"))!.Value.GetProperty("deviceId").GetString());

            // Added by device ID alone: the address comes from the presence bob's hub shared.
            Assert.Equal(0, (await alice.CliAsync("add", bobId)).ExitCode);
            await bob.WaitForRequestAsync(aliceId);
            Assert.Equal(0, (await bob.CliAsync("add", aliceId)).ExitCode);
            Assert.Equal(0, (await alice.CliAsync("chat", bobId, "hello across hubs")).ExitCode);
            await Eventually(async () => await StateOf(bob, aliceId, "hello across hubs") == "received", "bob to get alice's message");

            // Bob goes offline; alice's hub hears it through NATS, so her next message goes to the mailbox (a JetStream stream).
            await bob.DisposeAsync();
            await Eventually(async () => await WhoisAsync(alice, bobId) is { } b && !b.GetProperty("online").GetBoolean(), "alice's hub to see bob gone");
            Assert.Equal(0, (await alice.CliAsync("chat", bobId, "while you were away")).ExitCode);
            await Eventually(async () => await StateOf(alice, bobId, "while you were away") == "mailed", "alice's message to be mailed");

            // Alice goes too (else her node would hand it over itself once bob is back); bob comes back on hub 2, not the hub she left the mail at.
            Assert.Equal(0, (await alice.CliAsync("stop")).ExitCode);
            await alice.WaitForExitAsync(TimeSpan.FromSeconds(10));
            bob = await StartNode("bob", hub2.Invite);
            await Eventually(async () => await StateOf(bob, aliceId, "while you were away") == "received", "bob to collect the mail through the other hub");
        }
        finally
        {
            await bob.DisposeAsync();
        }
    }

    /// <summary>
    /// What NATS keeps of the rooms is bounded as a whole (<c>--room-log-total</c>): 40 posts of 48 KiB into a room whose
    /// cluster keeps 1 MiB leave NATS holding at most that, the oldest gone, and the newest still reaches the other member.
    /// </summary>
    [Fact]
    public async Task RoomLogInNats_IsHeldToItsTotal_OldestDropped_NewestDelivered()
    {
        await using var nats = await NatsServers.StartAsync(3);
        var home = Path.Combine(_root, "hub1");
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, home, "--port", "0", "--cluster", nats.Urls, "--identity", IdentityFile,
            "--room-log-total", "1");
        await using var alice = await StartNode("alice", hub.Invite);
        await using var bob = await StartNode("bob", hub.Invite);
        Assert.Equal(0, (await alice.CliAsync("room", "create", "team")).ExitCode);
        Assert.Equal(0, (await alice.CliAsync("room", "invite", "#team", await IdOf(bob))).ExitCode);
        Assert.Equal(0, (await bob.CliAsync("room", "join", "team")).ExitCode);
        for (var i = 0; i < 40; i++)
        {
            var post = await alice.CliAsync("chat", "#team", $"post {i:D2} " + new string('x', 48 * 1024));
            Assert.True(post.ExitCode == 0, $"post {i}: {post.Error}");
        }
        await Eventually(async () => (await bob.CliAsync("history", "#team", "--json")).Json.EnumerateArray()
            .Any(m => m.GetProperty("text").GetString()!.StartsWith("post 39 ", StringComparison.Ordinal)), "bob to get the newest post");

        var rooms = (await ParleyRunner.Local.RunAsync("--home", home, "hub", "status", "--json")).Json.GetProperty("streams").EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "PARLEY_ROOMS");
        Assert.Equal(1L << 20, rooms.GetProperty("maxBytes").GetInt64());
        Assert.InRange(rooms.GetProperty("bytes").GetInt64(), 1, 1L << 20); // 40 × 48 KiB went in: the oldest went out
    }

    [Fact]
    public async Task InviteListsEveryLiveHub_ANatsServerKilled_NothingStops_AKilledHubsMembersMoveToAnother()
    {
        await using var nats = await NatsServers.StartAsync(3);
        await using var hub1 = await StartHub(nats, "hub1");
        // Hub 2 is given only the server about to be killed: it must go on through the servers NATS told it of.
        await using var hub2 = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub2"), "--port", "0",
            "--cluster", $"nats://127.0.0.1:{nats.Ports[0]}", "--identity", IdentityFile);
        var (port1, port2) = (HubProcess.InvitePorts(hub1.Invite)[0], HubProcess.InvitePorts(hub2.Invite)[0]);
        await using (var client = new NatsConnection(NatsOpts.Default with { Url = nats.Urls }))
        {
            // Three NATS servers: everything the hubs share is kept on all three.
            var js = new NatsJSContext(client);
            Assert.Equal(3, (await js.GetStreamAsync("PARLEY_MAIL")).Info.Config.NumReplicas);
            Assert.Equal(3, (await js.GetStreamAsync("KV_parley-directory")).Info.Config.NumReplicas);
            Assert.Equal(3, (await js.GetStreamAsync("KV_parley-presence")).Info.Config.NumReplicas);
        }
        var invite = "";
        await Eventually(async () => HubProcess.InvitePorts(invite = (await ParleyRunner.Local.RunAsync("--home", Path.Combine(_root, "hub1"), "hub", "invite")).Out.Trim()).Contains(port2),
            "hub 1's invite to list hub 2");
        Assert.Equal(port1, HubProcess.InvitePorts(invite)[0]); // its own first
        Assert.Equal([port1, port2], HubProcess.InvitePorts(invite).Distinct().ToList());

        await using var alice = await StartNode("alice", invite);
        await alice.WaitForOutputAsync($":{port1}");
        await using var bob = await StartNode("bob", hub2.Invite);
        await Eventually(async () => await WhoisAsync(alice, "bob") is { } b && b.GetProperty("online").GetBoolean(), "alice to find bob online");

        // `hub status` shows both hubs with their member each, and every stream on all three servers.
        var home1 = Path.Combine(_root, "hub1");
        await Eventually(async () => (await ParleyRunner.Local.RunAsync("--home", home1, "hub", "status", "--json")) is { ExitCode: 0 } s
            && s.Json.GetProperty("hubs").EnumerateArray().Select(h => h.GetProperty("members").GetInt32()).Order().SequenceEqual([1, 1]), "hub status to show 1 member on each hub");
        var status = (await ParleyRunner.Local.RunAsync("--home", home1, "hub", "status", "--json")).Json;
        Assert.Equal(3, status.GetProperty("nats").GetProperty("clusterServers").GetInt32());
        Assert.All(status.GetProperty("streams").EnumerateArray(), s => Assert.Equal(3, s.GetProperty("current").GetInt32()));
        Assert.Contains(status.GetProperty("streams").EnumerateArray(), s => s.GetProperty("name").GetString() == "PARLEY_MAIL");

        // One NATS server of three dies without a word: the replicated buckets and stream keep their quorum.
        await nats.KillAsync(0);
        // ... and `hub status` says the streams have lost a replica (exit code 1).
        await Eventually(async () => (await ParleyRunner.Local.RunAsync("--home", home1, "hub", "status")) is { ExitCode: 1 } s
            && s.Out.Contains("2/3  DEGRADED", StringComparison.Ordinal), "hub status to show the lost replica", seconds: 40);
        await using var carol = await StartNode("carol", hub2.Invite);
        await Eventually(async () => await WhoisAsync(alice, "carol") is { } c && c.GetProperty("online").GetBoolean(), "alice to find carol, who joined after the kill");
        Assert.True((await WhoisAsync(alice, "bob"))!.Value.GetProperty("online").GetBoolean());

        // Alice's hub dies (SIGKILL): her node tries the invite's next hub.
        var failover = Stopwatch.StartNew();
        await hub1.DisposeAsync();
        await Eventually(() => Task.FromResult(alice.Output.Split('\n').Any(l => l.Contains("linked with hub", StringComparison.Ordinal) && l.Contains($":{port2}", StringComparison.Ordinal))),
            "alice to link with hub 2", seconds: 15);
        var movedIn = failover.Elapsed;
        await Eventually(async () => await WhoisAsync(bob, "alice") is { } a && a.GetProperty("online").GetBoolean(), "bob to see alice online through hub 2");
        // The target (under 5 s; 1.0–1.4 s measured) is a figure for bench/; here only that failover happens in bounded time,
        // which on a busy 2-core machine includes NATS leader elections.
        Assert.True(movedIn < TimeSpan.FromSeconds(15), $"alice moved to hub 2 only after {movedIn.TotalSeconds:0.0} s");
        Console.WriteLine($"failover: alice linked with hub 2 {movedIn.TotalMilliseconds:0} ms after hub 1 was killed");
    }

    [Fact]
    public async Task HubThatLosesNats_RefusesNewMembers_ThenLetsItsMembersGo_SayingWhy_AndNeverLogsCredentials()
    {
        await using var nats = await NatsServers.StartAsync(1);
        var url = $"nats://parley:s3cret-pass@127.0.0.1:{nats.Ports[0]}";
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0", "--cluster", url, "--identity", IdentityFile);
        await using var alice = await StartNode("alice", hub.Invite);
        await alice.WaitForOutputAsync("linked with hub");

        await nats.DisposeAsync();
        await Eventually(() => Task.FromResult(hub.Output.Contains("lost NATS", StringComparison.Ordinal)), "the hub to notice NATS gone", seconds: 10);
        await using var bob = await StartNode("bob", hub.Invite);
        await bob.WaitForOutputAsync("this hub has lost its cluster store (NATS); connect to another hub of the cluster");
        // Past the grace its members are let go too, so they move to a hub that still has NATS.
        // Let go by the grace's close, or sooner by a request of hers that met the outage (its own reason, "…lost its
        // cluster store during a …"), then refused on reconnecting: either way told why, which is what counts.
        await Eventually(() => Task.FromResult(alice.Output.Contains("lost its cluster store", StringComparison.Ordinal)), "alice to be let go", seconds: 40);
        Assert.DoesNotContain("s3cret", hub.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HubWithAnotherIdentity_OrNoNats_DoesNotStart_SayingWhy_WithoutCredentials()
    {
        await using var nats = await NatsServers.StartAsync(1);
        await using var first = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub1"), "--port", "0", "--cluster", nats.Urls, "--identity", IdentityFile);
        var other = await ParleyRunner.Local.RunAsync("--home", Path.Combine(_root, "hub2"), "hub", "--port", "0", "--cluster", nats.Urls,
            "--identity", Path.Combine(_root, "another-identity.pem"));
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("give this hub the cluster's identity file", other.Error + other.Out, StringComparison.Ordinal);

        var unreachable = await ParleyRunner.Local.RunAsync("--home", Path.Combine(_root, "hub3"), "hub", "--port", "0",
            "--cluster", "nats://parley:s3cret-pass@127.0.0.1:1", "--identity", IdentityFile);
        Assert.NotEqual(0, unreachable.ExitCode);
        Assert.Contains("cannot reach NATS JetStream at 127.0.0.1:1", unreachable.Error + unreachable.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", unreachable.Error + unreachable.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordsReadBackFromNats_ForgedOrMalformed_AreDropped_AndTheHubGoesOn()
    {
        await using var nats = await NatsServers.StartAsync(1);
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0", "--cluster", nats.Urls, "--identity", IdentityFile);
        await using var alice = await StartNode("alice", hub.Invite);
        await Eventually(async () => await WhoisAsync(alice, "alice") is not null, "alice's own entry");

        await using (var client = new NatsConnection(NatsOpts.Default with { Url = nats.Urls }))
        {
            var kv = new NatsKVContext(new NatsJSContext(client));
            var directory = await kv.GetStoreAsync("parley-directory");
            var presence = await kv.GetStoreAsync("parley-presence");
            using var victim = NodeIdentity.CreateEphemeral();
            using var mallory = NodeIdentity.CreateEphemeral();
            // An entry claiming victim's name and ID but signed by mallory; another whose key is not its device; garbage; a key that is no device.
            var forged = DirectoryEntry.Create(mallory, "victim", new byte[65], DateTimeOffset.UtcNow) with
            {
                IdentityKey = victim.Certificate.PublicKey.ExportSubjectPublicKeyInfo(),
            };
            await directory.PutAsync(victim.DeviceId.Compact, new ClusterDirectoryRecord(DateTimeOffset.UtcNow, forged).ToArray());
            var honest = DirectoryEntry.Create(mallory, "misfiled", new byte[65], DateTimeOffset.UtcNow);
            await directory.PutAsync(victim.DeviceId.Compact, new ClusterDirectoryRecord(DateTimeOffset.UtcNow, honest).ToArray());
            await directory.PutAsync(mallory.DeviceId.Compact, new byte[] { 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff });
            await directory.PutAsync("not-a-device", new byte[] { 1, 2, 3 });
            await presence.PutAsync(mallory.DeviceId.Compact, new byte[70_000]);
            await presence.PutAsync(victim.DeviceId.Compact,
                new ClusterPresenceRecord(7, new PresenceNotice(PresenceKind.Joined, mallory.DeviceId, DateTimeOffset.UtcNow, "mallory")).ToArray());
        }

        await Eventually(() => Task.FromResult(hub.Output.Split('\n').Count(l => l.Contains("dropped a malformed", StringComparison.Ordinal)) >= 5),
            "the hub to drop every bad record");
        Assert.Null(await WhoisAsync(alice, "victim"));
        Assert.Null(await WhoisAsync(alice, "misfiled"));
        Assert.Null(await WhoisAsync(alice, "mallory"));
        Assert.True((await WhoisAsync(alice, "alice"))!.Value.GetProperty("online").GetBoolean());
        Assert.DoesNotContain("mallory", (await alice.CliAsync("peers")).Out, StringComparison.Ordinal);
    }
}
