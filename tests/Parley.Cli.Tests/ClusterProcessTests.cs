using System.Diagnostics;
using System.Text.Json;
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

            // Bob comes back on hub 2, not the hub alice left the mail at.
            bob = await StartNode("bob", hub2.Invite);
            await Eventually(async () => await StateOf(bob, aliceId, "while you were away") == "received", "bob to collect the mail through the other hub");
        }
        finally
        {
            await bob.DisposeAsync();
        }
    }
}
