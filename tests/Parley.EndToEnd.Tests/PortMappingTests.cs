using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Home A's router runs Debian's miniupnpd (NAT-PMP, PCP, UPnP-IGD) and otherwise drops unsolicited
/// inbound traffic: a node inside asks it to forward its peer port, the internet reaches the node
/// there, the mapping goes when the node stops, and a peer behind another NAT links to it directly
/// at the address the hub gives out.
/// </summary>
public sealed partial class PortMappingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-portmap-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [GeneratedRegex(@"port mapping: TCP (\S+) -> :(\d+) by (\S+)")]
    private static partial Regex MappedLine();

    private static async Task<IPEndPoint> MappedAsync(NodeProcess node, string method)
    {
        var match = Match.Empty;
        for (var waited = 0; !(match = MappedLine().Match(node.Output)).Success; waited++)
        {
            Assert.True(waited < 80, $"no port mapping line in 20 s:\n{node.Output}");
            await Task.Delay(250);
        }
        Assert.True(match.Groups[3].Value == method, node.Output);
        return IPEndPoint.Parse(match.Groups[1].Value);
    }

    [Theory]
    [InlineData("nat-pmp", "NAT-PMP")]
    [InlineData("upnp", "UPnP")]
    public async Task ANodeBehindMiniupnpd_IsReachableFromTheInternet_AtItsMappedPort_UntilItStops(string option, string method)
    {
        using var net = NatTopology.Create(NatKind.Masquerade, NatKind.Masquerade, upnpA: true);
        var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.A), Path.Combine(_root, "alice"), "--name", "alice", "--no-discovery", "--port-mapping", option);
        IPEndPoint mapped;
        await using (alice)
        {
            mapped = await MappedAsync(alice, method);
            Assert.Equal(net.RouterAWanAddress, mapped.Address.ToString());
            Assert.True(await ConnectsAsync(net.Internet, mapped), $"the internet could not reach {mapped}\n{alice.Output}\n--- miniupnpd:\n{net.UpnpA!.Output}");
            Assert.True(net.UpnpA.ForwardsTcp(mapped.Port));
        }
        // Stopping deleted the mapping (the router's rule is gone), and the same connection no longer gets in.
        Assert.False(net.UpnpA.ForwardsTcp(mapped.Port), $"the router still forwards {mapped.Port}\n--- miniupnpd:\n{net.UpnpA.Output}");
        Assert.False(await ConnectsAsync(net.Internet, mapped), $"{mapped} still reached the home after the node stopped\n--- miniupnpd:\n{net.UpnpA!.Output}");
    }

    [Fact]
    public async Task APeerBehindAnotherNat_LinksDirectly_ToANodeWhoseRouterForwardsItsPort()
    {
        using var net = NatTopology.Create(NatKind.Masquerade, NatKind.Masquerade, upnpA: true);
        await using var hub = await HubProcess.StartAsync(ParleyRunner.InNamespace(net.Internet), Path.Combine(_root, "hub"));
        await using var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.A), Path.Combine(_root, "alice"),
            "--name", "alice", "--no-discovery", "--hub", hub.Invite, "--port-mapping", "pcp,nat-pmp,upnp");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.B), Path.Combine(_root, "bob"), "--name", "bob", "--no-discovery", "--hub", hub.Invite);
        var mapped = await MappedAsync(alice, "PCP");
        var aliceId = (await alice.StatusAsync()).GetProperty("deviceId").GetString()!;
        // The hub gives bob the forwarded address (not the observed address with the listening port, which the NAT drops).
        await Plumbing.Eventually<bool>(async () => (await bob.CliAsync("peers", "--json")).Json.GetProperty("hub").EnumerateArray()
            .Any(m => m.GetProperty("deviceId").GetString() == aliceId && m.GetProperty("address").GetString() == mapped.ToString()) ? true : null,
            "the hub to give bob alice's forwarded address");
        Assert.Equal(0, (await bob.CliAsync("add", aliceId)).ExitCode);
        await Plumbing.Eventually<bool>(async () => (await alice.CliAsync("requests", "--json")).Json.GetArrayLength() == 1 ? true : null, "bob's request at alice");
        Assert.Equal(0, (await alice.CliAsync("accept", "bob")).ExitCode);
        var link = await Plumbing.Eventually<JsonElement>(async () => (await bob.CliAsync("peers", "--json")).Json.GetProperty("contacts").EnumerateArray()
            .FirstOrDefault(c => c.GetProperty("online").GetBoolean() && c.GetProperty("acceptsUs").GetBoolean()) is { ValueKind: JsonValueKind.Object } c ? c : null,
            "bob's link to alice");
        Assert.True(link.GetProperty("link").GetString() == "direct", $"{link}\n--- alice:\n{alice.Output}\n--- bob:\n{bob.Output}");
        // Alice's side knows the link came in through her router's forward: its path says so.
        var atAlice = (await alice.CliAsync("peers", "--json")).Json.GetProperty("contacts").EnumerateArray().Single();
        Assert.True(atAlice.GetProperty("path").GetString() == "mapped", $"{atAlice}\n--- alice:\n{alice.Output}");
    }

    /// <summary>Whether a TCP connection from namespace <paramref name="ns"/> to <paramref name="to"/> opens within 3 s.</summary>
    private static async Task<bool> ConnectsAsync(string ns, IPEndPoint to)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "netns", "exec", ns, "timeout", "3", "bash", "-c", $"exec 3<>/dev/tcp/{to.Address}/{to.Port}" })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }
}
