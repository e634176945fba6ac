using System.Globalization;
using Parley.Bench.Calls;
using static Parley.Bench.Calls.Figures;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// Issue 18's three-page bench: alice, bob and carol (three <c>parley up</c> nodes on a real <c>parley hub</c>, a Chromium
/// page each with the probe's stamped 360p camera) in #team's call, against a 1:1 Parley call between alice and bob on
/// the same pages in the same round (the anchor; target: room latency at most 1.2x the 1:1's). Capture-to-display latency
/// of each page's video at the others, frames a second shown, browser and server CPU; join → first remote frame; leave →
/// seen by the others. The arms alternate which goes first; every round is printed, then the median and spread, and the
/// target is "met" only when the worst round meets it.
/// </summary>
internal static class RoomCallBench
{
    private const double Target = 1.2;

    private sealed record Round(ArmRun Room, ArmRun OneToOne, RoomFigures Figures)
    {
        public double Ratio => Percentile(Room.All, 0.5) / Percentile(OneToOne.All, 0.5);

        public double RatioP95 => Percentile(Room.All, 0.95) / Percentile(OneToOne.All, 0.95);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        int Option(string name, int otherwise) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : otherwise;
        var rounds = Option("--rounds", 3);
        var window = TimeSpan.FromSeconds(Option("--seconds", 15));
        Console.WriteLine($"Room call of three pages (alice, bob, carol; one headless Chromium, a {RoomCallPages.CameraHeight}p30 stamped canvas camera each) through a parley hub, " +
            $"against a 1:1 Parley call (WebCodecs engine, same pages, same camera) between alice and bob in the same round; {rounds} rounds, {window.TotalSeconds:0} s measured per arm after a 4 s warm-up.");
        Console.WriteLine("latency = shown minus captured, ms, over every frame of every stream (room: 6 streams, 1:1: 2); fps = frames shown a second per stream (slowest/mean); " +
            "CPU in % of one core over the window: this bench's Chromium processes, and the servers (room: hub + 3 nodes; 1:1: 2 nodes)");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()} at start");
        await using var pages = await RoomCallPages.StartAsync();
        var all = new List<Round>();
        for (var round = 1; round <= rounds; round++)
        {
            ArmRun room, oneToOne;
            RoomFigures figures;
            string codec;
            if (round % 2 == 1)
            {
                (room, figures) = await ParleyRoomArms.RoomAsync(pages, window);
                (oneToOne, codec) = await ParleyRoomArms.OneToOneAsync(pages, window);
            }
            else
            {
                (oneToOne, codec) = await ParleyRoomArms.OneToOneAsync(pages, window);
                (room, figures) = await ParleyRoomArms.RoomAsync(pages, window);
            }
            var result = new Round(room, oneToOne, figures);
            all.Add(result);
            Console.WriteLine($" round {round} ({(round % 2 == 1 ? "room" : "1:1")} first; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            Print(room, "VP8");
            Print(oneToOne, codec);
            Console.WriteLine($"  room/1:1 latency: median {result.Ratio:0.00}x, p95 {result.RatioP95:0.00}x");
            Console.WriteLine("  join, ms after the click: " + string.Join("; ", figures.Joins.Select(j =>
                $"{j.Name} answered {j.Answered:0}, media channel open {j.Open:0}, first frame of everyone already there {j.FirstFrames:0}")));
            Console.WriteLine($"  leave → seen: {pages.People[^1].Name}'s Leave click to her tile gone at " + string.Join(", ", figures.LeaveSeen.Select(l => $"{l.Key} {l.Value:0} ms")));
        }
        Summarize(all);
        return 0;
    }

    private static void Print(ArmRun run, string codec)
    {
        var (min, mean) = run.Fps;
        Console.WriteLine($"  {run.Name,-5} latency median {Percentile(run.All, 0.5),5:0} p95 {Percentile(run.All, 0.95),5:0} ({run.All.Count} frames, {codec})  " +
            $"fps {min:0.0}/{mean:0.0}  browsers {run.BrowserCpu:0} %  servers {run.ServerCpu:0.0} %");
        Console.WriteLine("        by stream, median/p95: " + string.Join(", ", run.Streams.Select(s => $"{s.Key} {Percentile(s.Value, 0.5):0}/{Percentile(s.Value, 0.95):0}")));
    }

    private static void Summarize(List<Round> all)
    {
        Console.WriteLine($" over {all.Count} rounds, median (lowest–highest):");
        foreach (var arm in new Func<Round, ArmRun>[] { r => r.Room, r => r.OneToOne })
        {
            var runs = all.Select(arm).ToList();
            Console.WriteLine($"  {runs[0].Name,-5} latency median {Spread(runs.Select(r => Percentile(r.All, 0.5)), "0")} ms, p95 {Spread(runs.Select(r => Percentile(r.All, 0.95)), "0")} ms, " +
                $"fps slowest stream {Spread(runs.Select(r => r.Fps.Min), "0.0")}, browsers {Spread(runs.Select(r => r.BrowserCpu), "0")} %, servers {Spread(runs.Select(r => r.ServerCpu), "0.0")} %");
        }
        var joins = all.SelectMany(r => r.Figures.Joins).ToList();
        Console.WriteLine($"  join → first frame of everyone already there: {Spread(joins.Select(j => j.FirstFrames), "0")} ms (worst {joins.Max(j => j.FirstFrames):0} ms; " +
            $"of it, answered {Spread(joins.Select(j => j.Answered), "0")} ms, media channel open {Spread(joins.Select(j => j.Open), "0")} ms)");
        var leaves = all.SelectMany(r => r.Figures.LeaveSeen.Values).ToList();
        Console.WriteLine($"  leave → seen by the others: {Spread(leaves, "0")} ms (worst {leaves.Max():0} ms)");
        var worst = all.Max(r => r.Ratio);
        Console.WriteLine($"  room/1:1 latency median: {Spread(all.Select(r => r.Ratio), "0.00")}x, worst round {worst:0.00}x, target ≤ {Target:0.0}x: " +
            (worst <= Target ? "met in every round" : "NOT met in every round") + $" (p95 ratio {Spread(all.Select(r => r.RatioP95), "0.00")}x)");
    }
}
