using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Issue 17's NAT matrix, every row with separate processes (a hub on the internet, two nodes in
/// their homes): the time from `parley add &lt;device ID&gt;` to the first delivered message, the link's
/// path once settled (it must be the best this network allows), a chat each way, a 20 MiB file checked
/// byte for byte, and a 10 s terminal call with its path and the share of audio and video frames that
/// arrived. Each row prints a line of the table kept in docs/benchmarks.md.
/// </summary>
public sealed partial class NatMatrixTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-matrix-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A row: the network, the link path it must settle on ("a|b": either), and the call path.</summary>
    public sealed record Row(string Name, string LinkPath, string CallPath)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Row> Rows() =>
    [
        new Row("one LAN", "lan", "udp"),
        new Row("one side public", "direct|punched", "udp"), // both direct TCP: bob dials alice, or the punch wins the race
        new Row("both masquerade", "punched", "udp"),
        new Row("one symmetric", "relayed", "hub-udp"),
        new Row("both symmetric", "relayed", "hub-udp"),
        new Row("UDP blocked on one side", "punched", "link"),
        new Row("double NAT", "punched", "udp"),
        new Row("router with miniupnpd", "direct", "udp"), // alice dials bob's mapped port: direct from the start
    ];

    private static InternetLab Build(string row)
    {
        var masquerade = new HomeUplink(NatKind.Masquerade);
        return row switch
        {
            "one LAN" => InternetLab.SharedLan(),
            "one side public" => InternetLab.Create(HomeUplink.Public, masquerade),
            "both masquerade" => InternetLab.Create(masquerade, masquerade),
            "one symmetric" => InternetLab.Create(new HomeUplink(NatKind.Symmetric), masquerade),
            "both symmetric" => InternetLab.Create(new HomeUplink(NatKind.Symmetric), new HomeUplink(NatKind.Symmetric)),
            "UDP blocked on one side" => InternetLab.Create(masquerade with { BlockUdp = true }, masquerade),
            "double NAT" => InternetLab.Create(masquerade with { Carrier = NatKind.Masquerade }, masquerade),
            "router with miniupnpd" => InternetLab.Create(masquerade, masquerade with { Upnp = true }),
            _ => throw new ArgumentException(row),
        };
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task EachRow_GetsTheBestPathItCan_AndChatFilesAndCallsWork(Row row)
    {
        using var lab = Build(row.Name);
        var lan = row.Name == "one LAN";
        await using var hub = await HubProcess.StartAsync(ParleyRunner.InNamespace(lab.Internet), Path.Combine(_root, "hub"), "--relay-private"); // the lab's internet is 10.x
        string[] discovery = lan ? [] : ["--no-discovery"];
        await using var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lab.A), Path.Combine(_root, "alice"), ["--name", "alice", "--hub", hub.Invite, .. discovery]);
        string[] mapping = row.Name == "router with miniupnpd" ? ["--port-mapping", "pcp,nat-pmp,upnp"] : [];
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lab.B), Path.Combine(_root, "bob"),
            ["--name", "bob", "--hub", hub.Invite, .. discovery, .. mapping]);

        var (_, firstMessage) = await Plumbing.BefriendAsync(alice, bob);
        var path = await SettledPathAsync(alice, row.LinkPath);
        Assert.True(row.LinkPath.Split('|').Contains(path), $"{row}: the link settled on {path}, not {row.LinkPath}\n--- alice:\n{alice.Output}\n--- bob:\n{bob.Output}");
        Assert.Equal(0, (await bob.CliAsync("chat", "alice", "and back")).ExitCode);
        await Plumbing.Eventually<bool>(async () => await Plumbing.MessageStateAsync(bob, "alice", "and back") == "delivered" ? true : null, "bob's reply delivered");

        var file = await SendFileAsync(alice, bob);
        var call = await CallAsync(alice, bob);
        output.WriteLine($"| {row} | {path} | {firstMessage.TotalSeconds:0.00} s | {file.TotalSeconds:0.0} s | {call.Path} | {call.Rtt} | " +
            $"{Share(call.HeardAudio, call.SentAudio)} | {Share(call.SeenVideo, call.SentVideo)} |");
        Assert.True(call.Path == row.CallPath, $"{row}: the call took {call.Path}, not {row.CallPath}\n{call.Log}");
        Assert.True(call.HeardAudio >= 0.95 * call.SentAudio, $"{row}: {call.HeardAudio} of {call.SentAudio} audio frames\n{call.Log}");
        Assert.True(call.SeenVideo >= 0.9 * call.SentVideo, $"{row}: {call.SeenVideo} of {call.SentVideo} video frames\n{call.Log}");
    }

    private static string Share(int got, int sent) => sent == 0 ? "–" : $"{100.0 * got / sent:0.0} % ({got}/{sent})";

    /// <summary>The link's path once it is the expected one, or whatever it is after 20 s.</summary>
    private static async Task<string> SettledPathAsync(NodeProcess alice, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string? path = null;
        while (DateTime.UtcNow < deadline)
        {
            var peers = await alice.CliAsync("peers", "--json");
            if (peers.ExitCode == 0 && peers.Json.GetProperty("contacts").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } bob
                && bob.GetProperty("online").GetBoolean())
            {
                path = bob.GetProperty("path").GetString();
                if (path is not null && expected.Split('|').Contains(path))
                {
                    return path;
                }
            }
            await Task.Delay(500);
        }
        return path ?? "offline";
    }

    /// <summary>20 MiB from alice to bob, compared byte for byte: the time the send took.</summary>
    private async Task<TimeSpan> SendFileAsync(NodeProcess alice, NodeProcess bob)
    {
        var file = Path.Combine(_root, "twenty.bin");
        var bytes = RandomNumberGenerator.GetBytes(20 << 20);
        await File.WriteAllBytesAsync(file, bytes);
        Assert.Equal(0, (await bob.CliAsync("auto-accept", "alice", "on")).ExitCode);
        Assert.Equal(0, (await bob.CliAsync("settings", "--download-folder", Path.Combine(_root, "inbox"))).ExitCode);
        var clock = Stopwatch.StartNew();
        var sent = await alice.CliAsync("send", file, "--to", "bob");
        Assert.True(sent.ExitCode == 0, sent.Error);
        var took = clock.Elapsed;
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(_root, "inbox", "twenty.bin"))));
        return took;
    }

    private sealed record CallOutcome(string Path, string Rtt, int SentAudio, int SentVideo, int HeardAudio, int SeenVideo, string Log);

    /// <summary>A 10 s terminal call from alice to bob: its path and what each side sent and got.</summary>
    private static async Task<CallOutcome> CallAsync(NodeProcess alice, NodeProcess bob)
    {
        var answer = bob.CliAsync("answer");
        await Task.Delay(500);
        var (called, answered) = (await alice.CliAsync("call", "bob", "--video", "--seconds", "10"), await answer);
        var log = $"{called.Out}{called.Error}\n--- bob:\n{answered.Out}{answered.Error}";
        Assert.True(called.ExitCode == 0 && answered.ExitCode == 0, log);
        var path = PathLine().Match(called.Out);
        var sent = SentLine().Match(called.Out);
        var got = ReceivedLine().Match(answered.Out);
        Assert.True(path.Success && sent.Success && got.Success, log);
        return new CallOutcome(path.Groups[1].Value, path.Groups[2].Value, Number(sent.Groups[2]), Number(sent.Groups[1]), Number(got.Groups[1]),
            Number(got.Groups[2]), log);
    }

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"path: ([\w-]+), round trip ([\w ]+?),")]
    private static partial Regex PathLine();

    [GeneratedRegex(@"sent (\d+) video and (\d+) audio frames")]
    private static partial Regex SentLine();

    [GeneratedRegex(@"received (\d+) audio frames and (\d+) video frames")]
    private static partial Regex ReceivedLine();
}
