using System.Globalization;
using static Parley.Bench.Calls.Figures;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// Issue 18's three-page bench: alice, bob and carol (three <c>parley up</c> nodes on a real <c>parley hub</c>, a Chromium
/// page each with the probe's stamped 360p camera) in #team's call, against, on the same pages in the same round: a 1:1
/// Parley call between alice and bob (the anchor, in the codec the pages agree on; target: room latency at most 1.2x its
/// latency), the same 1:1 call in VP8 (the room's codec, to tell the codec's share from the room's), the room's call with
/// alice and bob only (the 1:1's two streams on the room's path: the path's share against the third page's work), and the three pages
/// in a Janus VideoRoom (when Debian's janus is installed). Capture-to-display latency of each page's video at the
/// others, frames a second shown, browser and server CPU; join → first remote frame; leave → seen by the others. The
/// arms' order reverses every round; every round is printed, then the median and spread, and the target is "met" only
/// when the worst round meets it.
/// </summary>
internal static class RoomCallBench
{
    private const double Target = 1.2;

    private sealed record Arm(string Name, string Codec, Func<Task<ArmRun>> RunAsync);

    private sealed record Round(Dictionary<string, ArmRun> Runs, RoomFigures Figures)
    {
        public double Ratio(string anchor, double share = 0.5, string arm = "room") => Percentile(Runs[arm].All, share) / Percentile(Runs[anchor].All, share);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        int Option(string name, int otherwise) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : otherwise;
        var rounds = Option("--rounds", 3);
        var window = TimeSpan.FromSeconds(Option("--seconds", 15));
        Console.WriteLine($"Room call of three pages (alice, bob, carol: one headless Chromium, a {RoomCallPages.CameraHeight}p30 stamped canvas camera each) through a parley hub, against, " +
            $"on the same pages in the same round: a 1:1 Parley call alice-bob (WebCodecs engine, the codec the pages agree on: the anchor), the same in VP8 (the room's codec), " +
            "the room's call with alice and bob only (room of 2: the 1:1's work on the room's path), " +
            $"and the three pages in a Janus VideoRoom; {rounds} rounds, each arm {window.TotalSeconds:0} s measured after a 4 s warm-up, the arms' order reversed every round.");
        Console.WriteLine("latency = shown minus captured, ms, over every frame of every stream (3 pages: 6 streams, 1:1 and room of 2: 2); fps = frames shown a second per stream (slowest/mean); " +
            "CPU in % of one core over the window: this bench's Chromium processes, and the servers (room: hub + 3 nodes; room of 2: hub + 2 nodes; 1:1: 2 nodes; janus: janus)");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()} at start (other work on the machine counts in it)");
        await using var pages = await RoomCallPages.StartAsync();
        var (janus, why) = args.Contains("--no-janus") ? (null, "--no-janus") : await JanusServer.TryStartAsync(Path.Combine(pages.Root, "janus"));
        await using var janusServer = janus;
        if (janus is null)
        {
            Console.WriteLine($"janus arm left out: {why}");
        }
        RoomFigures? figures = null;
        var codecs = new Dictionary<string, string>();
        async Task<ArmRun> OneToOne(string? only)
        {
            var (run, codec) = await ParleyRoomArms.OneToOneAsync(pages, window, only);
            codecs[run.Name] = codec;
            return run;
        }
        var arms = new List<Arm>
        {
            new("room", "VP8", async () => { (var run, figures) = await ParleyRoomArms.RoomAsync(pages, window); return run; }),
            new("1:1", "", () => OneToOne(null)),
            new("1:1 vp8", "", () => OneToOne("vp8")),
            new("room of 2", "VP8", async () => (await ParleyRoomArms.RoomAsync(pages, window, 2)).Run),
        };
        if (janus is not null)
        {
            arms.Add(new("janus", "VP8", () => JanusRoomArm.RoomAsync(pages, janus, window)));
        }
        var all = new List<Round>();
        for (var round = 1; round <= rounds; round++)
        {
            var order = round % 2 == 1 ? arms : Enumerable.Reverse(arms).ToList();
            var runs = new Dictionary<string, ArmRun>();
            foreach (var arm in order)
            {
                runs[arm.Name] = await arm.RunAsync();
            }
            var result = new Round(runs, figures!);
            all.Add(result);
            Console.WriteLine($" round {round} ({string.Join(", ", order.Select(a => a.Name))}; load average after {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            foreach (var arm in arms)
            {
                Print(runs[arm.Name], codecs.GetValueOrDefault(arm.Name, arm.Codec));
            }
            Console.WriteLine("  latency ratios, median (p95): " + string.Join(", ", arms.Skip(1).Select(a => $"room/{a.Name} {result.Ratio(a.Name):0.00}x ({result.Ratio(a.Name, 0.95):0.00}x)")) +
                $", room of 2/1:1 {result.Ratio("1:1", arm: "room of 2"):0.00}x ({result.Ratio("1:1", 0.95, "room of 2"):0.00}x)");
            Console.WriteLine("  join, ms after the click: " + string.Join("; ", result.Figures.Joins.Select(j =>
                $"{j.Name} answered {j.Answered:0}, media channel open {j.Open:0}, first frame of " + string.Join(" and ", j.First.Select(f => $"{f.Key} {f.Value:0}")))));
            Console.WriteLine($"  nodes' counts in this room call: {result.Figures.Counters}");
            Console.WriteLine($"  leave → seen: {pages.People[^1].Name}'s Leave click to her tile gone at " + string.Join(", ", result.Figures.LeaveSeen.Select(l => $"{l.Key} {l.Value:0} ms")));
        }
        Summarize(all, arms.Select(a => a.Name).ToList());
        return 0;
    }

    private static void Print(ArmRun run, string codec)
    {
        var (min, mean) = run.Fps;
        Console.WriteLine($"  {run.Name,-7} latency median {Percentile(run.All, 0.5),4:0} p95 {Percentile(run.All, 0.95),4:0} ({run.All.Count} frames, {codec})  " +
            $"fps {min:0.0}/{mean:0.0}  browsers {run.BrowserCpu:0} %  servers {run.ServerCpu:0.0} %");
        Console.WriteLine("          by stream, median/p95: " + string.Join(", ", run.Streams.Select(s => $"{s.Key} {Percentile(s.Value, 0.5):0}/{Percentile(s.Value, 0.95):0}")));
        Console.WriteLine($"          stages, ms a frame: {run.Stages}");
        Console.WriteLine($"          busiest browser threads, % of a core: {run.Threads}");
    }

    private static void Summarize(List<Round> all, List<string> arms)
    {
        Console.WriteLine($" over {all.Count} rounds, median (lowest–highest):");
        foreach (var arm in arms)
        {
            var runs = all.Select(r => r.Runs[arm]).ToList();
            Console.WriteLine($"  {arm,-7} latency median {Spread(runs.Select(r => Percentile(r.All, 0.5)), "0")} ms, p95 {Spread(runs.Select(r => Percentile(r.All, 0.95)), "0")} ms, " +
                $"fps slowest stream {Spread(runs.Select(r => r.Fps.Min), "0.0")}, browsers {Spread(runs.Select(r => r.BrowserCpu), "0")} %, servers {Spread(runs.Select(r => r.ServerCpu), "0.0")} %");
        }
        var joins = all.SelectMany(r => r.Figures.Joins).ToList();
        Console.WriteLine($"  join → first frame of everyone already there: {Spread(joins.Select(j => j.FirstFrames), "0")} ms (worst {joins.Max(j => j.FirstFrames):0} ms; " +
            $"of it, answered {Spread(joins.Select(j => j.Answered), "0")} ms, media channel open {Spread(joins.Select(j => j.Open), "0")} ms)");
        var leaves = all.SelectMany(r => r.Figures.LeaveSeen.Values).ToList();
        Console.WriteLine($"  leave → seen by the others: {Spread(leaves, "0")} ms (worst {leaves.Max():0} ms)");
        foreach (var anchor in arms.Skip(2))
        {
            Console.WriteLine($"  room/{anchor} latency median: {Spread(all.Select(r => r.Ratio(anchor)), "0.00")}x (p95 {Spread(all.Select(r => r.Ratio(anchor, 0.95)), "0.00")}x)");
        }
        Console.WriteLine($"  room of 2/1:1 latency median (the same two pages' work, the room's path): {Spread(all.Select(r => r.Ratio("1:1", arm: "room of 2")), "0.00")}x " +
            $"(p95 {Spread(all.Select(r => r.Ratio("1:1", 0.95, "room of 2")), "0.00")}x)");
        var worst = all.Max(r => r.Ratio("1:1"));
        Console.WriteLine($"  room/1:1 latency median: {Spread(all.Select(r => r.Ratio("1:1")), "0.00")}x (p95 {Spread(all.Select(r => r.Ratio("1:1", 0.95)), "0.00")}x), " +
            $"worst round {worst:0.00}x, target ≤ {Target:0.0}x: " + (worst <= Target ? "met in every round" : "NOT met in every round"));
    }
}
