using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Two homes behind NAT routers (iptables MASQUERADE, unsolicited inbound dropped) and a hub on the
/// internet between them: they link through the hub's relay, and a call's media finds a direct UDP
/// path by punching through both NATs; behind symmetric NATs (--random-fully) no such path exists and
/// media takes the hub's UDP relay; where one home passes no UDP at all, media stays on the link.
/// Audio stays intact on every path. Each call's path line (with its round trip) is printed, so one
/// run shows relayed UDP's latency against direct.
/// </summary>
public sealed class NatCallTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-nat-").FullName;
    private int _calls;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed record Outcome(string Path, int SentAudio, int ReceivedAudio, string Log, string PathLine = "");

    private Task<Outcome> CallThroughNatsAsync(NatKind nat, NatKind? natB = null) => CallThroughNatsAsync(nat, natB ?? nat, viaTurn: false, seconds: 8);

    /// <summary>
    /// The call between two homes; <paramref name="viaTurn"/>: the hub offers no UDP relay
    /// (<c>--no-udp-relay</c>) and both nodes are given Debian's coturn on the internet instead;
    /// <paramref name="killHub"/>: the call starts once the link is punched, and the hub is killed
    /// (SIGKILL) 2 s into it.
    /// </summary>
    private async Task<Outcome> CallThroughNatsAsync(NatKind nat, NatKind natB, bool viaTurn, int seconds, bool killHub = false, TimeSpan? wanDelay = null)
    {
        using var net = NatTopology.Create(nat, natB, wanDelay: wanDelay);
        var root = Path.Combine(_root, $"call{++_calls}"); // homes of their own for each call of a test
        // The lab's "internet" is 10.x, which the hub's UDP relay serves only when told to.
        string[] hubArgs = viaTurn ? ["--relay-private", "--no-udp-relay"] : ["--relay-private"];
        await using var hub = await HubProcess.StartAsync(ParleyRunner.InNamespace(net.Internet), Path.Combine(root, "hub"), hubArgs);
        await using var coturn = viaTurn ? await CoturnProcess.StartAsync(net.HubAddress, ["ip", "netns", "exec", net.Internet]) : null;
        string[] turnArgs = coturn is null ? [] : ["--turn", coturn.Uri, "--turn-user", CoturnProcess.User, "--turn-password", CoturnProcess.Password];
        await using var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.A), Path.Combine(root, "alice"), ["--name", "alice", "--no-discovery", "--hub", hub.Invite, .. turnArgs]);
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.B), Path.Combine(root, "bob"), ["--name", "bob", "--no-discovery", "--hub", hub.Invite, .. turnArgs]);
        var bobId = await Plumbing.Eventually<JsonElement>(async () =>
        {
            var whois = await alice.CliAsync("whois", "bob", "--json");
            return whois.ExitCode == 0 && whois.Json.GetArrayLength() == 1 ? whois.Json[0] : null;
        }, "alice to find bob in the directory");
        Assert.Equal(0, (await alice.CliAsync("add", bobId.GetProperty("deviceId").GetString()!)).ExitCode);
        await Plumbing.Eventually<bool>(async () => (await bob.CliAsync("requests", "--json")).Json.GetArrayLength() == 1 ? true : null, "alice's request at bob");
        Assert.Equal(0, (await bob.CliAsync("accept", "alice")).ExitCode);
        await Plumbing.Eventually<bool>(async () => (await alice.CliAsync("peers", "--json")).Json.GetProperty("contacts").EnumerateArray()
            .Any(c => c.GetProperty("online").GetBoolean() && c.GetProperty("acceptsUs").GetBoolean()) ? true : null,
            "the link (relayed, or punched once upgraded)", 45);

        if (killHub)
        {
            await Plumbing.Eventually<bool>(async () => (await alice.CliAsync("peers", "--json")).Json.GetProperty("contacts").EnumerateArray()
                .Any(c => c.GetProperty("path").GetString() == "punched") ? true : null, "the punched link", 30);
        }
        var answer = bob.CliAsync("answer");
        await Task.Delay(500);
        var call = alice.CliAsync("call", "bob", "--seconds", seconds.ToString(CultureInfo.InvariantCulture));
        if (killHub)
        {
            // Killed mid-call: once alice's node has the call answered, and a second of media after it.
            await Plumbing.Eventually<bool>(() => Task.FromResult<bool?>(alice.Output.Contains("answered: media starts", StringComparison.Ordinal) ? true : null), "the call to be answered");
            await Task.Delay(TimeSpan.FromSeconds(1));
            using var hubProcess = Process.GetProcessById(hub.Pid);
            hubProcess.Kill(); // SIGKILL: no goodbye to anyone
            Assert.True(hubProcess.WaitForExit(5000), "the hub still runs");
        }
        var (called, answered) = (await call, await answer);
        var log = $"{called.Out}{called.Error}\n--- bob:\n{answered.Out}{answered.Error}\n--- bob's node:\n{string.Join('\n', bob.Output.Split('\n').TakeLast(30))}\n--- alice's node:\n{string.Join('\n', alice.Output.Split('\n').TakeLast(30))}{(coturn is null ? "" : "\n--- coturn:\n" + coturn.Log)}";
        Assert.True(called.ExitCode == 0 && answered.ExitCode == 0, log);
        var path = Regex.Match(called.Out, @"path: ([\w-]+)");
        var sent = Regex.Match(called.Out, @"sent (\d+) video and (\d+) audio frames");
        var heard = Regex.Match(answered.Out, @"received (\d+) audio frames");
        Assert.True(path.Success && sent.Success && heard.Success, log);
        output.WriteLine($"{nat}/{natB}{(viaTurn ? " via TURN" : "")}{(killHub ? ", hub killed 1 s after the answer" : "")}: {Regex.Match(called.Out, "path: .*").Value}; " +
            $"audio {heard.Groups[1].Value} of {sent.Groups[2].Value} frames");
        return new Outcome(path.Groups[1].Value, int.Parse(sent.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(heard.Groups[1].Value, CultureInfo.InvariantCulture), log, Regex.Match(called.Out, "path: .*").Value);
    }

    [Fact]
    public async Task BehindTwoMasqueradingRouters_TheCallPunchesAUdpPath()
    {
        var outcome = await CallThroughNatsAsync(NatKind.Masquerade);
        Assert.True(outcome.Path == "udp", $"media stayed on the {outcome.Path}\n{outcome.Log}");
        Assert.True(outcome.ReceivedAudio >= 0.95 * outcome.SentAudio, $"{outcome.ReceivedAudio} of {outcome.SentAudio} audio frames\n{outcome.Log}");
    }

    [Fact]
    public async Task BehindTwoSymmetricNats_MediaTakesTheHubsUdpRelay_WithAudioIntact()
    {
        var outcome = await CallThroughNatsAsync(NatKind.Symmetric);
        Assert.True(outcome.Path == "hub-udp", $"media took the {outcome.Path}\n{outcome.Log}");
        Assert.True(outcome.ReceivedAudio >= 0.95 * outcome.SentAudio, $"{outcome.ReceivedAudio} of {outcome.SentAudio} audio frames\n{outcome.Log}");
    }

    [Fact]
    public async Task BehindTwoSymmetricNats_WithAHubWithoutUdpRelay_MediaTakesTurn_WithAudioIntact()
    {
        var outcome = await CallThroughNatsAsync(NatKind.Symmetric, NatKind.Symmetric, viaTurn: true, seconds: 5);
        Assert.True(outcome.Path == "turn", $"media took the {outcome.Path}\n{outcome.Log}");
        Assert.True(outcome.ReceivedAudio >= 0.99 * outcome.SentAudio, $"{outcome.ReceivedAudio} of {outcome.SentAudio} audio frames\n{outcome.Log}");
    }

    [Fact]
    public async Task BehindTwoMasqueradingRouters_TheHubKilledMidCall_TheCallOnItsPunchedPathLivesOn()
    {
        var outcome = await CallThroughNatsAsync(NatKind.Masquerade, NatKind.Masquerade, viaTurn: false, seconds: 7, killHub: true);
        Assert.True(outcome.Path == "udp", $"media took the {outcome.Path}\n{outcome.Log}");
        Assert.Contains("call ended: hung up", outcome.Log);
        // 7 s at 50 audio frames a second, the last 4.5 s of them with no hub: frames kept coming to the end.
        Assert.True(outcome.SentAudio >= 300, $"{outcome.SentAudio} audio frames sent\n{outcome.Log}");
        Assert.True(outcome.ReceivedAudio >= 0.95 * outcome.SentAudio, $"{outcome.ReceivedAudio} of {outcome.SentAudio} audio frames\n{outcome.Log}");
    }

    /// <summary>
    /// Direct UDP, the hub's UDP relay and TURN, one after another in one run, with every router's WAN
    /// wire 20 ms long each way (so every path between the homes crosses 80 ms of wire, there and back):
    /// what each relay adds to the call's round trip. Prints the three path lines (the bench figure).
    /// </summary>
    [Fact]
    public async Task RelayedUdpLatency_AgainstDirect_OverDelayedWans()
    {
        var delay = TimeSpan.FromMilliseconds(20);
        var direct = await CallThroughNatsAsync(NatKind.Masquerade, NatKind.Masquerade, viaTurn: false, seconds: 6, wanDelay: delay);
        var hubUdp = await CallThroughNatsAsync(NatKind.Symmetric, NatKind.Symmetric, viaTurn: false, seconds: 6, wanDelay: delay);
        var turn = await CallThroughNatsAsync(NatKind.Symmetric, NatKind.Symmetric, viaTurn: true, seconds: 6, wanDelay: delay);
        Assert.Equal(["udp", "hub-udp", "turn"], new[] { direct.Path, hubUdp.Path, turn.Path });
        foreach (var outcome in new[] { direct, hubUdp, turn })
        {
            var rtt = int.Parse(Regex.Match(outcome.PathLine, @"round trip (\d+) ms").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(rtt >= 80, $"{outcome.PathLine}: the wires hold 80 ms there and back");
            Assert.True(outcome.ReceivedAudio >= 0.95 * outcome.SentAudio, $"{outcome.ReceivedAudio} of {outcome.SentAudio} audio frames\n{outcome.Log}");
        }
    }

    [Fact]
    public async Task WithUdpBlockedOnOneSide_MediaStaysOnTheLink_WithAudioIntact()
    {
        var outcome = await CallThroughNatsAsync(NatKind.UdpBlocked, NatKind.Masquerade);
        Assert.True(outcome.Path == "link", $"media took the {outcome.Path}\n{outcome.Log}");
        Assert.True(outcome.ReceivedAudio >= 0.95 * outcome.SentAudio, $"{outcome.ReceivedAudio} of {outcome.SentAudio} audio frames\n{outcome.Log}");
    }
}
