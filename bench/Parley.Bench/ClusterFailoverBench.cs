using System.Diagnostics;
using System.Globalization;
using Parley.Testing;

namespace Parley.Bench;

/// <summary>
/// Issue 23's failover figure, with real processes on loopback: three nats-servers, two cluster hubs, alice
/// on hub 1 mailing 1,000 messages (a line every 5 ms through an interactive `parley chat`) to bob, who is
/// offline. Hub 1 is killed with SIGKILL at message 300. Measured: how long until alice's node is served by
/// hub 2 again, and, once bob comes back on hub 2, how many messages her node took that he never gets
/// (target 0) or gets twice. Rounds run one after another; min, median and max are printed.
/// </summary>
internal static class ClusterFailoverBench
{
    private const int Messages = 1000;
    private const int KillAt = 300;

    private sealed record Round(TimeSpan Failover, int Taken, int Received, int Lost, int Duplicates, TimeSpan Collected, string States);

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args is ["--rounds", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 3;
        var results = new List<Round>();
        for (var i = 1; i <= rounds; i++)
        {
            var round = await RunRoundAsync();
            Console.WriteLine($"round {i}: served by hub 2 {round.Failover.TotalMilliseconds:0} ms after hub 1 died; {round.Taken} taken, {round.Received} at bob "
                + $"({round.Lost} lost, {round.Duplicates} twice), all collected {round.Collected.TotalSeconds:0.0} s after he came back (before: {round.States})");
            results.Add(round);
        }
        var failovers = results.Select(r => r.Failover.TotalMilliseconds).Order().ToList();
        Console.WriteLine($"failover over {rounds} rounds: min {failovers[0]:0} ms, median {failovers[failovers.Count / 2]:0} ms, max {failovers[^1]:0} ms (target < 5000); "
            + $"lost {results.Sum(r => r.Lost)}, twice {results.Sum(r => r.Duplicates)} of {results.Sum(r => r.Taken)} taken (target 0)");
        return results.All(r => r.Lost == 0 && r.Duplicates == 0) ? 0 : 1;
    }

    private static async Task<Round> RunRoundAsync()
    {
        var root = Directory.CreateTempSubdirectory("parley-failbench-").FullName;
        var identity = Path.Combine(root, "hub-identity.pem");
        await using var nats = await NatsServers.StartAsync(3);
        var hub1 = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "hub1"), "--port", "0", "--cluster", nats.Urls, "--identity", identity);
        await using var hub2 = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "hub2"), "--port", "0", "--cluster", nats.Urls, "--identity", identity);
        NodeProcess? alice = null;
        NodeProcess? bob = null;
        try
        {
            var port2 = HubProcess.InvitePorts(hub2.Invite)[0];
            var invite = "";
            await Until(async () => HubProcess.InvitePorts(invite = (await ParleyRunner.Local.RunAsync("--home", Path.Combine(root, "hub1"), "hub", "invite")).Out.Trim()).Contains(port2), "hub 1's invite to list hub 2");
            alice = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "alice"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "alice", "--hub", invite);
            bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "bob"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob", "--hub", hub2.Invite);
            await NodeProcess.BefriendAsync(alice, bob);
            var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;
            await bob.DisposeAsync();
            bob = null;
            await Until(async () => (await alice.CliAsync("whois", bobId, "--json")) is { ExitCode: 0 } w && w.Json.GetArrayLength() == 1 && !w.Json[0].GetProperty("online").GetBoolean(),
                "alice's hub to see bob gone");

            var clock = Stopwatch.StartNew();
            bool OnHub2() => alice.Output.Split('\n').Any(l => l.Contains("linked with hub", StringComparison.Ordinal) && l.Contains($":{port2}", StringComparison.Ordinal));
            using var session = Process.Start(ParleyRunner.Local.StartInfo(["--home", alice.Home, "chat", bobId], redirectInput: true))!;
            _ = session.StandardOutput.ReadToEndAsync();
            _ = session.StandardError.ReadToEndAsync();
            Task<TimeSpan>? moved = null;
            for (var i = 1; i <= Messages; i++)
            {
                await session.StandardInput.WriteLineAsync($"m{i:0000}");
                if (i == KillAt)
                {
                    await hub1.DisposeAsync();
                    var killedAt = clock.Elapsed;
                    moved = Task.Run(async () =>
                    {
                        while (!OnHub2() && clock.Elapsed < killedAt + TimeSpan.FromSeconds(60))
                        {
                            await Task.Delay(20);
                        }
                        return clock.Elapsed - killedAt;
                    });
                }
                await Task.Delay(5);
            }
            await session.StandardInput.WriteLineAsync("/quit");
            await session.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
            var failover = await moved!;
            if (!OnHub2())
            {
                throw new TimeoutException("alice was never served by hub 2");
            }

            var taken = (await alice.CliAsync("history", bobId, "--limit", "10000", "--json")).Json.EnumerateArray().Count(m => m.GetProperty("outgoing").GetBoolean());
            // Every taken message mailed or queued (none "sent" and waiting on a link), then bob comes back on hub 2.
            var states = "";
            await Until(async () =>
            {
                var history = (await alice.CliAsync("history", bobId, "--limit", "10000", "--json")).Json.EnumerateArray().Select(m => m.GetProperty("state").GetString()).ToList();
                states = string.Join(", ", history.GroupBy(s => s).Select(g => $"{g.Count()} {g.Key}"));
                // The hub takes up to its per-pair quota into the mailbox; the rest wait at alice's node ("queued") for bob's return.
                return history.All(s => s is "mailed" or "queued" or "received" or "delivered" or "read");
            }, "alice's messages to be mailed or queued", 120, () => states);
            var back = Stopwatch.StartNew();
            bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "bob"), "--port", "0", "--api-port", "0", "--no-discovery", "--hub", hub2.Invite);
            var texts = new List<string>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (DateTime.UtcNow < deadline)
            {
                texts = [.. (await bob.CliAsync("history", "alice", "--limit", "10000", "--json")).Json.EnumerateArray()
                    .Where(m => !m.GetProperty("outgoing").GetBoolean()).Select(m => m.GetProperty("text").GetString()!)];
                if (texts.Count >= taken)
                {
                    break;
                }
                await Task.Delay(250);
            }
            var distinct = texts.Distinct(StringComparer.Ordinal).Count();
            return new Round(failover, taken, texts.Count, taken - distinct, texts.Count - distinct, back.Elapsed, states);
        }
        finally
        {
            if (alice is not null)
            {
                await alice.DisposeAsync();
            }
            if (bob is not null)
            {
                await bob.DisposeAsync();
            }
            await hub1.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task Until(Func<Task<bool>> condition, string what, int seconds = 60, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"never: {what} {detail?.Invoke()}");
            }
            await Task.Delay(100);
        }
    }
}
