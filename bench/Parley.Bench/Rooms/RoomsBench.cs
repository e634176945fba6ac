using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Testing;

namespace Parley.Bench.Rooms;

/// <summary>
/// Rooms that hold, measured: (a) a big room on one <c>parley hub</c> process, members as lightweight
/// clients, deliveries a second and delivery latency with the room log on against the same hub with
/// it off, alternating runs in one go; (b) catch-up: a real <c>parley up</c> killed while thousands
/// of messages are sent, timed from its restart until its history holds them all.
/// </summary>
internal static class RoomsBench
{
    private const int Senders = 5;
    private const int MessageBytes = 200;

    internal sealed record FanOut(string Mode, int Messages, long Expected, long Delivered, TimeSpan Elapsed, double P50, double P99, double HubMiB, string Diagnosis = "")
    {
        public double PerSecond => Delivered / Elapsed.TotalSeconds;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var members = Option(args, "--members", 200);
        var runs = Option(args, "--runs", 3);
        var messages = Option(args, "--messages", 1000);
        var catchUp = Option(args, "--catch-up", 10_000);
        if (Option(args, "--fan-out", 1) != 0)
        {
            await FanOutComparisonAsync(members, runs, messages);
        }
        if (catchUp > 0)
        {
            await CatchUpAsync(catchUp, Option(args, "--pace", 400));
        }
        return 0;
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;

    /// <summary>Runs on and off in turn (so drift on a shared machine falls on both), then prints each side's median and spread.</summary>
    private static async Task FanOutComparisonAsync(int members, int runs, int messages)
    {
        var hasSwitch = (await ParleyRunner.Local.RunAsync("hub", "--help")).Out.Contains("--room-log", StringComparison.Ordinal);
        string[] modes = hasSwitch ? ["on", "off"] : ["default"];
        if (!hasSwitch)
        {
            Console.WriteLine("this parley hub has no --room-log switch: measuring its one fan-out only");
        }
        var results = modes.ToDictionary(m => m, _ => new List<FanOut>());
        for (var run = 1; run <= runs; run++)
        {
            foreach (var mode in modes)
            {
                var result = await FanOutAsync(mode, hasSwitch, members, messages);
                results[mode].Add(result);
                Console.WriteLine($"run {run}, room log {mode}: {result.Messages} messages to {members} members, {result.Delivered:N0} of {result.Expected:N0} deliveries "
                    + $"in {result.Elapsed.TotalSeconds:0.00} s: {result.PerSecond:N0}/s; latency p50 {result.P50:0.0} ms, p99 {result.P99:0.0} ms; hub {result.HubMiB:0} MiB resident");
            }
        }
        foreach (var (mode, list) in results)
        {
            Console.WriteLine($"room log {mode}, {list.Count} runs: deliveries/s median {Median(list.Select(r => r.PerSecond)):N0} ({list.Min(r => r.PerSecond):N0}–{list.Max(r => r.PerSecond):N0}); "
                + $"p99 median {Median(list.Select(r => r.P99)):0.0} ms ({list.Min(r => r.P99):0.0}–{list.Max(r => r.P99):0.0}); "
                + $"p50 median {Median(list.Select(r => r.P50)):0.0} ms");
        }
        if (hasSwitch)
        {
            Console.WriteLine($"throughput with the log / without: {Median(results["on"].Select(r => r.PerSecond)) / Median(results["off"].Select(r => r.PerSecond)):0.00}x");
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// One hub process, <paramref name="members"/> members in one room; 5 of them post
    /// <paramref name="messages"/> between them, a round every 2 ms (2,500 a second offered).
    /// </summary>
    private static async Task<FanOut> FanOutAsync(string mode, bool hasSwitch, int members, int messages)
    {
        var home = Directory.CreateTempSubdirectory("parley-roomsbench-").FullName;
        try
        {
            await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, home, hasSwitch ? ["--port", "0", "--room-log", mode] : ["--port", "0"]);
            return await FanOutOverAsync(mode, [hub], members, messages);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>
    /// The fan-out over running hubs (one, or a cluster's): member i links to hub i mod their count; the
    /// first creates the room, the rest join; 5 post, a round every 2 ms (a burst), or at
    /// <paramref name="postsPerSecond"/> between them, evenly spaced, when that is given. Resident memory is the hubs' together.
    /// </summary>
    internal static async Task<FanOut> FanOutOverAsync(string mode, IReadOnlyList<HubProcess> hubs, int members, int messages, int postsPerSecond = 0)
    {
        var invites = hubs.Select(h => Invite.TryParse(h.Invite, out var invite, out _) ? invite! : throw new InvalidOperationException(h.Invite)).ToList();
        var perSender = messages / Senders;
        var expected = (long)Senders * perSender * (members - 1);
        var latencies = new double[expected];
        var arrivals = new double[expected]; // seconds since the first post, so a periodic stall shows as a pattern
        var watch = new Stopwatch(); // started at the first post
        long delivered = 0;
        var clients = new List<BenchRoomMember>();
        for (var i = 0; i < members; i++)
        {
            var invite = invites[i % invites.Count];
            clients.Add(await BenchRoomMember.ConnectAsync(invite.Addresses[0].Port, invite.DeviceId, $"m{i}", ms =>
            {
                var at = Interlocked.Increment(ref delivered) - 1;
                if (at < latencies.Length)
                {
                    latencies[at] = ms;
                    arrivals[at] = watch.Elapsed.TotalSeconds;
                }
            }));
        }
        await clients[0].EnterAsync(RoomOp.Create, "bench");
        await Task.Delay(hubs.Count > 1 ? 1000 : 0); // the other hubs learn of the room through NATS
        foreach (var client in clients.Skip(1))
        {
            await client.EnterAsync(RoomOp.Join, "bench");
        }
        await Task.Delay(500);
        Interlocked.Exchange(ref delivered, 0);
        using var stop = new CancellationTokenSource();
        var acking = AcknowledgeAsync(clients, stop.Token);
        watch.Start();
        // The 1,000 members stand for 1,000 machines, so a pause of this one process's collector is not a delay any
        // member would see, yet it stops all of them at once and lands on the measured path: while the posts go out,
        // this process runs without collecting if the runtime lets it (it says so below, with what it allocated).
        var quiet = NoCollectionWhile();
        var (pausedBefore, gen2Before, allocatedBefore) = (GC.GetTotalPauseDuration(), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
        using var reasons = new GcReasons();
        var last = TimeSpan.Zero;
        bool collected;
        try
        {
            for (var i = 0; i < perSender; i++)
            {
                for (var s = 0; s < Senders; s++)
                {
                    clients[s].Post("bench", MessageBytes);
                }
                if (postsPerSecond <= 0)
                {
                    await Task.Delay(2);
                    continue;
                }
                var next = TimeSpan.FromSeconds((i + 1) * (double)Senders / postsPerSecond);
                while (watch.Elapsed < next)
                {
                    await Task.Delay(1);
                }
            }
            var deadline = TimeSpan.FromSeconds(120);
            var seen = -1L;
            while (Interlocked.Read(ref delivered) < expected && watch.Elapsed < deadline)
            {
                var now = Interlocked.Read(ref delivered);
                if (now != seen)
                {
                    (seen, last) = (now, watch.Elapsed);
                }
                await Task.Delay(5);
            }
            await stop.CancelAsync();
            await acking;
        }
        finally
        {
            collected = quiet && !EndNoCollection();
        }
        var count = Math.Min(Interlocked.Read(ref delivered), expected);
        var elapsed = count == expected ? watch.Elapsed : last;
        var sorted = latencies.AsSpan(0, (int)count).ToArray();
        Array.Sort(sorted);
        var diagnosis = SlowestBySecond(latencies.AsSpan(0, (int)count), arrivals, sorted.Length == 0 ? 0 : sorted[(int)(sorted.Length * 0.99)])
            + $"; this bench process (the members) {(quiet ? collected ? "ran out of its no-collection budget and " : "held off collecting, and " : "")}paused "
            + $"{(GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds:0} ms for GC ({GC.CollectionCount(2) - gen2Before} full; {reasons}), "
            + $"allocating {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0:0} MiB; entries handed over again: {clients.Sum(c => c.Again):N0}";
        var hubMiB = hubs.Sum(h => Proc.RssKiB(h.Pid)) / 1024.0;
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
        return new FanOut(mode, Senders * perSender, expected, count, elapsed,
            sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2], sorted.Length == 0 ? double.NaN : sorted[(int)(sorted.Length * 0.99)], hubMiB, diagnosis);
    }

    /// <summary>Asks the runtime not to collect in this process until told (true if it agreed), with room for the run's allocations.</summary>
    private static bool NoCollectionWhile()
    {
        try
        {
            return GC.TryStartNoGCRegion(NoCollectionBudget);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false; // more than this runtime's limit
        }
    }

    private const long NoCollectionBudget = 2L << 30;

    /// <summary>Ends the no-collection region; false if the runtime had already left it (the budget ran out: it collected after all).</summary>
    private static bool EndNoCollection()
    {
        if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
        {
            return false;
        }
        try
        {
            GC.EndNoGCRegion();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false; // it left the region between the check and the end
        }
    }

    /// <summary>
    /// The deliveries at or above p99, counted by the second they arrived in ("3.0 s: 120"): a tail from a
    /// periodic stall (a timer's burst) shows as the same seconds apart; one from the machine's noise does not.
    /// </summary>
    private static string SlowestBySecond(ReadOnlySpan<double> latencies, double[] arrivals, double p99)
    {
        var bySecond = new SortedDictionary<int, int>();
        for (var i = 0; i < latencies.Length; i++)
        {
            if (latencies[i] >= p99)
            {
                var second = (int)arrivals[i];
                bySecond[second] = bySecond.GetValueOrDefault(second) + 1;
            }
        }
        return string.Join(", ", bySecond.Select(p => $"{p.Key} s: {p.Value:N0}"));
    }

    /// <summary>Every member acknowledges what it has read every 50 ms, as nodes do when their queue runs dry.</summary>
    private static async Task AcknowledgeAsync(List<BenchRoomMember> clients, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var client in clients)
            {
                client.Acknowledge();
            }
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>bob (a real node) is killed; alice (a real node) sends <paramref name="count"/>; bob is started again and timed until his history holds them all.</summary>
    private static async Task CatchUpAsync(int count, int perSecond)
    {
        const string marker = "bench-catchup";
        var root = Directory.CreateTempSubdirectory("parley-catchupbench-").FullName;
        try
        {
            await using var cluster = await RoomCluster.StartAsync(root, ["alice", "bob"]);
            var (alice, bob) = (cluster["alice"], cluster["bob"]);
            await cluster.CreateAsync(alice, "team");
            await cluster.JoinAsync(alice, bob, "team");
            (TimeSpan Sending, TimeSpan Up, Stopwatch Watch) missed;
            try
            {
                missed = await RoomCluster.MissAndReturnAsync(alice, bob, "team", Enumerable.Range(0, count).Select(i => $"{marker} {i}"),
                    perSecond); // 400 by default: under the hub's 500 a second for one member, which drops a member going faster
            }
            catch (HttpRequestException e)
            {
                Console.WriteLine($"catch-up: {e.Message}; the hub's last words:\n{string.Join('\n', cluster.Hub.Output.Split('\n').TakeLast(5))}");
                return;
            }
            var (sending, up, watch) = missed;
            Console.WriteLine($"catch-up: alice sent {count:N0} while bob was down, in {sending.TotalSeconds:0.0} s");
            var lastText = $"{marker} {count - 1}";
            var complete = await RoomCluster.WaitAsync(async () => (await bob.HistoryAsync("team", 1)).FirstOrDefault()?.Text == lastText, TimeSpan.FromSeconds(120), pollMs: 20);
            var newestIn = watch.Elapsed;
            var have = (await bob.FullHistoryAsync("team")).Where(m => m.Text.StartsWith(marker, StringComparison.Ordinal)).Select(m => m.Text).ToList();
            var inOrder = have.SequenceEqual(Enumerable.Range(0, count).Select(i => $"{marker} {i}"));
            Console.WriteLine($"catch-up: bob up and linked to the hub {up.TotalSeconds:0.00} s after his restart; "
                + (complete ? $"his newest message in {newestIn.TotalSeconds:0.00} s after the restart ({(newestIn - up).TotalSeconds:0.00} s after he was up)" : "NOT complete within 120 s")
                + $"; he holds {have.Distinct().Count():N0} of {count:N0}{(inOrder ? ", all in order" : ", NOT all in order")}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
