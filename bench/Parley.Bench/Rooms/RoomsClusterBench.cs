using System.Globalization;
using Parley.Testing;

namespace Parley.Bench.Rooms;

/// <summary>
/// Issue 23's room across a cluster: the fan-out of <see cref="RoomsBench"/> (members as lightweight
/// clients, 5 posting) on one <c>parley hub</c> with SQLite, then on three <c>parley hub --cluster</c>
/// processes over a three-server NATS cluster with the members spread over them, in turn, in one run.
/// </summary>
internal static class RoomsClusterBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var members = Option(args, "--members", 1000);
        var runs = Option(args, "--runs", 2);
        var messages = Option(args, "--messages", 500);
        var rate = Option(args, "--rate", 0); // posts a second between the senders; 0: the burst (a round every 2 ms)
        var results = new Dictionary<string, List<RoomsBench.FanOut>> { ["single"] = [], ["cluster"] = [] };
        for (var run = 1; run <= runs; run++)
        {
            foreach (var mode in results.Keys)
            {
                var result = mode == "single" ? await SingleAsync(members, messages, rate) : await ClusterAsync(members, messages, rate);
                results[mode].Add(result);
                Console.WriteLine($"run {run}, {mode}: {result.Messages} messages to {members} members, {result.Delivered:N0} of {result.Expected:N0} deliveries "
                    + $"in {result.Elapsed.TotalSeconds:0.00} s: {result.PerSecond:N0}/s; latency p50 {result.P50:0.0} ms, p99 {result.P99:0.0} ms; hubs {result.HubMiB:0} MiB resident"
                    + $"\n  the slowest 1 % by the second they arrived in: {result.Diagnosis}");
            }
        }
        foreach (var (mode, list) in results)
        {
            Console.WriteLine($"{mode}, {list.Count} runs: deliveries/s median {RoomsBench.Median(list.Select(r => r.PerSecond)):N0} ({list.Min(r => r.PerSecond):N0}–{list.Max(r => r.PerSecond):N0}); "
                + $"p99 median {RoomsBench.Median(list.Select(r => r.P99)):0.0} ms ({list.Min(r => r.P99):0.0}–{list.Max(r => r.P99):0.0})");
        }
        Console.WriteLine(rate > 0 ? $"offered: {rate} posts a second" : "offered: the burst (5 posts every 2 ms)");
        Console.WriteLine($"cluster / single throughput: {RoomsBench.Median(results["cluster"].Select(r => r.PerSecond)) / RoomsBench.Median(results["single"].Select(r => r.PerSecond)):0.00}x; "
            + $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;

    private static async Task<RoomsBench.FanOut> SingleAsync(int members, int messages, int rate)
    {
        var home = Directory.CreateTempSubdirectory("parley-roomscluster-").FullName;
        try
        {
            await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, home, "--port", "0");
            return await RoomsBench.FanOutOverAsync("single", [hub], members, messages, rate);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<RoomsBench.FanOut> ClusterAsync(int members, int messages, int rate)
    {
        var root = Directory.CreateTempSubdirectory("parley-roomscluster-").FullName;
        var hubs = new List<HubProcess>();
        try
        {
            await using var nats = await NatsServers.StartAsync(3);
            foreach (var name in new[] { "hub1", "hub2", "hub3" })
            {
                hubs.Add(await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, name), "--port", "0",
                    "--cluster", nats.Urls, "--identity", Path.Combine(root, "hub-identity.pem")));
            }
            return await RoomsBench.FanOutOverAsync("cluster", hubs, members, messages, rate);
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }
            Directory.Delete(root, recursive: true);
        }
    }
}
