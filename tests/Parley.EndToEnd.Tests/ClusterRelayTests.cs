using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Two hubs of one cluster (a nats-server beside them), alice linked to one and bob to the other, in
/// homes that cannot reach each other: their link is relayed through both hubs (node → hub → hub → node),
/// both ways (alice's add, bob's answer), and carries chat and a file intact.
/// </summary>
public sealed class ClusterRelayTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-clusterrelay-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task MembersOfDifferentHubs_ThatCannotReachEachOther_LinkThroughBothHubs_ChatAndSendAFile()
    {
        using var net = HubTopology.Create();
        await using var nats = await NatsServers.StartAsync(1, net.Hub);
        var identity = Path.Combine(_root, "hub-identity.pem");
        var inHub = ParleyRunner.InNamespace(net.Hub);
        await using var hub1 = await HubProcess.StartAsync(inHub, Path.Combine(_root, "hub1"), "--port", "0", "--cluster", nats.Urls, "--identity", identity);
        await using var hub2 = await HubProcess.StartAsync(inHub, Path.Combine(_root, "hub2"), "--port", "0", "--cluster", nats.Urls, "--identity", identity);
        var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.A), Path.Combine(_root, "alice"), "--name", "alice", "--no-discovery", "--hub", hub1.Invite);
        var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.B), Path.Combine(_root, "bob"), "--name", "bob", "--no-discovery", "--hub", hub2.Invite);
        try
        {
            var link = await RelayedPair.BecomeContactsAsync(alice, bob);
            Assert.Equal("relayed", link.GetProperty("link").GetString());
            // Each hub carried its own member's half.
            Assert.Contains("relaying", hub1.Output, StringComparison.Ordinal);
            Assert.Contains("relaying", hub2.Output, StringComparison.Ordinal);
            await RelayedPair.ChatAndSendAFileAsync(alice, bob, _root, "through two hubs");
        }
        finally
        {
            await alice.DisposeAsync();
            await bob.DisposeAsync();
        }
    }
}
