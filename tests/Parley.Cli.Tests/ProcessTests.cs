using System.Diagnostics;
using System.Text.Json;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>Whole-program tests: real <c>parley up</c> processes driven through the CLI.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Home(string name) => Path.Combine(_root, name);

    /// <summary>A node on loopback ports picked by the OS, without discovery (tests run side by side).</summary>
    private Task<NodeProcess> StartNode(string name, params string[] extra) =>
        NodeProcess.StartAsync(ParleyRunner.Local, Home(name), ["--port", "0", "--api-port", "0", "--no-discovery", .. extra]);

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task TwoNodes_AddEachOther_ChatBothWays_HistorySurvivesRestart()
    {
        await using var alice = await StartNode("alice", "--name", "alice");
        var bob = await StartNode("bob", "--name", "bob");
        try
        {
            var aliceStatus = await alice.StatusAsync();
            var bobStatus = await bob.StatusAsync();
            var aliceId = aliceStatus.GetProperty("deviceId").GetString()!;
            var bobId = bobStatus.GetProperty("deviceId").GetString()!;
            Assert.Equal(0, (await alice.CliAsync("add", bobId, $"127.0.0.1:{bobStatus.GetProperty("peerPort").GetInt32()}")).ExitCode);
            Assert.Equal(0, (await bob.CliAsync("add", aliceId, $"127.0.0.1:{aliceStatus.GetProperty("peerPort").GetInt32()}")).ExitCode);
            await Eventually(async () => IsOnline(await alice.CliAsync("peers", "--json"), bobId), "alice to see bob online");

            var toBob = await alice.CliAsync("chat", "bob", "hello from alice");
            Assert.True(toBob.ExitCode == 0, toBob.Error);
            var toAlice = await bob.CliAsync("chat", aliceId[..12], "hello from bob");
            Assert.True(toAlice.ExitCode == 0, toAlice.Error);
            await Eventually(async () => Texts(await bob.CliAsync("history", "alice", "--json")).Count == 2, "both messages at bob");

            Assert.Equal(0, (await bob.CliAsync("stop")).ExitCode);
            Assert.Equal(0, await bob.WaitForExitAsync(TimeSpan.FromSeconds(5)));
            await bob.DisposeAsync();
            bob = await StartNode("bob");

            var history = await bob.CliAsync("history", "alice", "--json");
            Assert.Equal(["hello from alice", "hello from bob"], Texts(history));
            var states = history.Json.EnumerateArray().Select(m => m.GetProperty("state").GetString()).ToList();
            Assert.Equal(["received", "delivered"], states);
            var text = await bob.CliAsync("history", "alice");
            Assert.Contains("alice: hello from alice", text.Out, StringComparison.Ordinal);
            Assert.Contains("me: hello from bob  ✓✓", text.Out, StringComparison.Ordinal);
        }
        finally
        {
            await bob.DisposeAsync();
        }
    }

    [Fact]
    public async Task Up_RunsEveryThreadAtNiceTen_UnlessAskedForNormalPriority()
    {
        var own = NiceOf("/proc/self/stat");
        await using (var node = await StartNode("low"))
        {
            var nices = ThreadNices(node.Process.Id);
            Assert.True(nices.Count > 5, $"only {nices.Count} threads read");
            Assert.All(nices, nice => Assert.True(nice >= Math.Max(own, 10), $"a thread at nice {nice}"));
        }
        await using (var node = await StartNode("normal", "--normal-priority"))
        {
            Assert.All(ThreadNices(node.Process.Id), nice => Assert.Equal(own, nice));
        }
    }

    /// <summary>The nice value of each thread of a process (field 19 of its stat, counted after the name in parentheses).</summary>
    private static List<int> ThreadNices(int pid) => [.. Directory.EnumerateDirectories($"/proc/{pid}/task").Select(task => NiceOf(Path.Combine(task, "stat")))];

    private static int NiceOf(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsOnline(CliResult peers, string deviceId) => peers.Json.GetProperty("contacts").EnumerateArray()
        .Any(c => c.GetProperty("deviceId").GetString() == deviceId && c.GetProperty("online").GetBoolean() && c.GetProperty("acceptsUs").GetBoolean());

    private static List<string> Texts(CliResult history) =>
        history.ExitCode == 0 ? [.. history.Json.EnumerateArray().Select(m => m.GetProperty("text").GetString()!)] : [];

    [Fact]
    public async Task Stop_ClosesLinksWithReason_AndExitsZeroWithinTwoSeconds()
    {
        await using var alice = await StartNode("alice", "--name", "alice");
        await using var bob = await StartNode("bob", "--name", "bob", "--log-protocol");
        var aliceStatus = await alice.StatusAsync();
        var bobStatus = await bob.StatusAsync();
        await alice.CliAsync("add", bobStatus.GetProperty("deviceId").GetString()!, $"127.0.0.1:{bobStatus.GetProperty("peerPort").GetInt32()}");
        await bob.CliAsync("add", aliceStatus.GetProperty("deviceId").GetString()!);
        await Eventually(async () => IsOnline(await alice.CliAsync("peers", "--json"), bobStatus.GetProperty("deviceId").GetString()!), "the link");
        await alice.CliAsync("chat", "bob", "hi");
        await bob.WaitForOutputAsync("ChatMessage");
        await bob.WaitForOutputAsync("frame -> ");
        Assert.Equal(0, (await bob.CliAsync("requests", "--json")).Json.GetArrayLength());

        var watch = Stopwatch.StartNew();
        Assert.True(await Signals.InterruptAsync(alice.Process.Id), "could not send SIGINT");
        Assert.Equal(0, await alice.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        await bob.WaitForOutputAsync("alice (");
        await bob.WaitForOutputAsync("left: shutting down");
        Assert.False(File.Exists(Path.Combine(Home("alice"), "node.json")));
        // The protocol log names direction, peer, type and size.
        Assert.Matches(@"frame <- \w{7} Close \d+ B", bob.Output);
    }

    [Fact]
    public async Task IdAndStatus_ReportTheSameIdentity()
    {
        var before = await ParleyRunner.Local.RunAsync("--home", Home("carol"), "id", "--json");
        Assert.Equal(0, before.ExitCode);
        await using var carol = await StartNode("carol", "--name", "carol");
        var status = await carol.StatusAsync();
        Assert.Equal(before.Json.GetProperty("deviceId").GetString(), status.GetProperty("deviceId").GetString());
        var id = await ParleyRunner.Local.RunAsync("id", "--home", Home("carol"));
        Assert.Contains("name: carol", id.Out, StringComparison.Ordinal);
        foreach (var property in new[] { "deviceId", "name", "peerPort", "apiUrl" })
        {
            Assert.NotEqual(JsonValueKind.Undefined, status.GetProperty(property).ValueKind);
        }
    }

    [Fact]
    public async Task Invite_FromOneNode_IsAcceptedByAdd_OnAnother()
    {
        await using var alice = await StartNode("alice", "--name", "alice");
        await using var bob = await StartNode("bob", "--name", "bob");
        var invite = (await alice.CliAsync("invite")).Out.Trim();
        Assert.StartsWith("parley://", invite, StringComparison.Ordinal);
        var port = (await alice.StatusAsync()).GetProperty("peerPort").GetInt32();
        var added = await bob.CliAsync("add", invite, $"127.0.0.1:{port}");
        Assert.True(added.ExitCode == 0, added.Error);
        await Eventually(async () => (await alice.CliAsync("requests", "--json")).Json.GetArrayLength() == 1, "bob's request at alice");
        Assert.Equal(0, (await alice.CliAsync("accept", "bob")).ExitCode);
        var safetyA = (await alice.CliAsync("safety", "bob")).Out.Split('\n')[0];
        var safetyB = (await bob.CliAsync("safety", "alice")).Out.Split('\n')[0];
        Assert.Equal(safetyA, safetyB);
        Assert.Matches(@"^\d{5}( \d{5}){5}$", safetyA);
    }

    [Fact]
    public async Task InteractiveChat_ShowsIncoming_AndQuitLeaves()
    {
        await using var alice = await StartNode("alice", "--name", "alice");
        await using var bob = await StartNode("bob", "--name", "bob");
        var aliceStatus = await alice.StatusAsync();
        var bobStatus = await bob.StatusAsync();
        await alice.CliAsync("add", bobStatus.GetProperty("deviceId").GetString()!, $"127.0.0.1:{bobStatus.GetProperty("peerPort").GetInt32()}");
        await bob.CliAsync("add", aliceStatus.GetProperty("deviceId").GetString()!);
        await Eventually(async () => IsOnline(await alice.CliAsync("peers", "--json"), bobStatus.GetProperty("deviceId").GetString()!), "link");

        var info = ParleyRunner.Local.StartInfo(["--home", bob.Home, "chat", "alice"], redirectInput: true);
        using var session = Process.Start(info)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        session.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        session.BeginOutputReadLine();
        await Eventually(() => Task.FromResult(output.Any(l => l.StartsWith("-- chatting", StringComparison.Ordinal))), "the session banner");
        await alice.CliAsync("chat", "bob", "live \u001b[31mred\u001b[0m");
        await Eventually(() => Task.FromResult(output.Any(l => l.Contains("alice: live", StringComparison.Ordinal))), "the live message");
        Assert.Contains(output, l => l.Contains("\\u001b[31mred", StringComparison.Ordinal)); // escaped, never raw ESC
        await session.StandardInput.WriteLineAsync("typed reply");
        await session.StandardInput.WriteLineAsync("/quit");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await session.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, session.ExitCode);
        await Eventually(async () => Texts(await alice.CliAsync("history", "bob", "--json")).Contains("typed reply"), "the typed reply at alice");
    }

    [Fact]
    public async Task InteractiveChat_EndsWhenTheNodeStops()
    {
        var bob = await StartNode("bob", "--name", "bob");
        await using (bob)
        {
            using var other = global::Parley.Core.Identity.NodeIdentity.CreateEphemeral();
            await bob.CliAsync("add", other.DeviceId.ToString());
            using var session = Process.Start(ParleyRunner.Local.StartInfo(["--home", bob.Home, "chat", other.DeviceId.ToString()[..12]], redirectInput: true))!;
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            session.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
            session.BeginOutputReadLine();
            await Eventually(() => Task.FromResult(output.Any(l => l.StartsWith("-- chatting", StringComparison.Ordinal))), "the session banner");
            Assert.Equal(0, (await bob.CliAsync("stop")).ExitCode);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await session.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, session.ExitCode);
            Assert.Contains(output, l => l.Contains("the node stopped", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ChatTooLong_FailsClearly_AndNothingIsStored()
    {
        await using var alice = await StartNode("alice", "--name", "alice");
        using var other = global::Parley.Core.Identity.NodeIdentity.CreateEphemeral();
        await alice.CliAsync("add", other.DeviceId.ToString());
        var result = await alice.CliAsync("chat", other.DeviceId.ToString(), new string('x', 70_000));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the limit is 65536", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await alice.CliAsync("history", other.DeviceId.ToString(), "--json")).Json.GetArrayLength());
    }

    [Fact]
    public async Task Verbs_WithoutNode_SayNoNodeIsRunning()
    {
        var result = await ParleyRunner.Local.RunAsync("--home", Home("nobody"), "peers");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no node is running", result.Error, StringComparison.Ordinal);
    }
}

/// <summary>Sends a POSIX signal with kill(1), as Ctrl+C in a terminal does.</summary>
internal static class Signals
{
    public static async Task<bool> InterruptAsync(int pid)
    {
        using var kill = Process.Start("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        return kill.ExitCode == 0;
    }
}
