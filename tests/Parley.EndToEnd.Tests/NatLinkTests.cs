using System.Diagnostics;
using System.Text.Json;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Peer links between two homes behind MASQUERADE routers that drop unsolicited inbound traffic, a hub
/// between them, every node a separate process: adding by device ID links at once (the direct SYN the
/// far NAT drops costs a stagger, not a timeout: the relay wins the race), the relayed link then goes
/// direct by TCP simultaneous open, and a home whose uplink dies is noticed within 15 s (its messages
/// go to the hub's mailbox and arrive after).
/// </summary>
public sealed class NatLinkTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-natlink-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static JsonElement? Contact(CliResult peers) =>
        peers.ExitCode == 0 && peers.Json.GetProperty("contacts") is { ValueKind: JsonValueKind.Array } c && c.GetArrayLength() == 1 ? c[0] : null;

    private sealed record Homes(HubProcess Hub, NodeProcess Alice, NodeProcess Bob) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Alice.DisposeAsync();
            await Bob.DisposeAsync();
            await Hub.DisposeAsync();
        }
    }

    private async Task<Homes> StartAsync(NatTopology net)
    {
        var hub = await HubProcess.StartAsync(ParleyRunner.InNamespace(net.Internet), Path.Combine(_root, "hub"));
        var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.A), Path.Combine(_root, "alice"), "--name", "alice", "--no-discovery", "--hub", hub.Invite);
        var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.B), Path.Combine(_root, "bob"), "--name", "bob", "--no-discovery", "--hub", hub.Invite);
        return new Homes(hub, alice, bob);
    }

    /// <summary>Alice adds bob by device ID and says hello; bob accepts: returns when alice sees the message delivered.</summary>
    private async Task BefriendAsync(Homes homes)
    {
        var (linked, total) = await Plumbing.BefriendAsync(homes.Alice, homes.Bob);
        output.WriteLine($"add by device ID through two NATs: request at bob after {linked.TotalSeconds:0.00} s; " +
            $"first message delivered {total.TotalSeconds:0.00} s after the add, with bob's accept between " +
            "(times include starting a CLI process per command, ~0.2 s each)");
        // Without racing, the SYN to bob's observed address (dropped by bob's router) cost the 10 s connect timeout first.
        Assert.True(linked < TimeSpan.FromSeconds(5), $"the request took {linked.TotalSeconds:0.0} s\n{homes.Alice.Output}");
    }

    [Fact]
    public async Task BehindTwoMasqueradingRouters_AddByIdLinksAtOnce_ThenTheRelayedLinkIsPunchedDirect()
    {
        using var net = NatTopology.Create(NatKind.Masquerade, NatKind.Masquerade);
        await using var homes = await StartAsync(net);
        await BefriendAsync(homes);
        var clock = Stopwatch.StartNew();
        var path = await Plumbing.Eventually<JsonElement>(async () => Contact(await homes.Alice.CliAsync("peers", "--json")) is { } c
            && c.GetProperty("online").GetBoolean() && c.GetProperty("path").GetString() == "punched" ? c : null, "the punched link", 30);
        output.WriteLine($"relayed → punched {clock.Elapsed.TotalSeconds:0.0} s after the first message");
        Assert.Equal("direct", path.GetProperty("link").GetString());
        Assert.Equal("punched", Contact(await homes.Bob.CliAsync("peers", "--json"))?.GetProperty("path").GetString());
        Assert.Equal(0, (await homes.Bob.CliAsync("chat", "alice", "over the punched link")).ExitCode);
        await Plumbing.Eventually<bool>(async () => await Plumbing.MessageStateAsync(homes.Bob, "alice", "over the punched link") == "delivered" ? true : null, "the reply");
    }

    [Fact]
    public async Task UplinkCut_ContactOfflineAndMessagesMailedWithin15s_DeliveredWhenBack()
    {
        using var net = NatTopology.Create(NatKind.Masquerade, NatKind.Masquerade);
        await using var homes = await StartAsync(net);
        await BefriendAsync(homes);
        var bob = homes.Bob;
        net.SetUplinkA(up: false);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, (await bob.CliAsync("chat", "alice", "while you were away")).ExitCode);
        var offline = await Plumbing.Eventually<TimeSpan>(async () => Contact(await bob.CliAsync("peers", "--json")) is { } c
            && !c.GetProperty("online").GetBoolean() ? clock.Elapsed : null, "alice offline at bob", 30);
        var mailed = await Plumbing.Eventually<TimeSpan>(async () => await Plumbing.MessageStateAsync(bob, "alice", "while you were away") == "mailed" ? clock.Elapsed : null,
            "the message in the mailbox", 30);
        output.WriteLine($"uplink cut: alice offline at bob after {offline.TotalSeconds:0.0} s, message mailed after {mailed.TotalSeconds:0.0} s");
        net.SetUplinkA(up: true);
        await Plumbing.Eventually<bool>(async () => (await homes.Alice.CliAsync("history", "bob", "--json")).Json.EnumerateArray()
            .Any(m => m.GetProperty("text").GetString() == "while you were away") ? true : null, "the message at alice once back", 60);
        Assert.True(offline <= TimeSpan.FromSeconds(15), $"alice showed online for {offline.TotalSeconds:0.0} s");
        Assert.True(mailed <= TimeSpan.FromSeconds(15), $"the message was mailed after {mailed.TotalSeconds:0.0} s");
    }
}
