using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using static Parley.Bench.Calls.Figures;

namespace Parley.Bench.Calls;

/// <summary>
/// A 720p video call both ways between two Chromium pages, through Parley (the pages on Chromium's WebRTC
/// engine, its packets carried by the nodes; with <c>--webcodecs</c> also Parley's WebCodecs engine, frames
/// over the nodes' UDP media transport) and, in the same run and the same pages, through
/// Chromium's own WebRTC (<c>RTCPeerConnection</c>, in the codec Parley's pages agreed on: H.264 on a
/// two-core machine, VP8 elsewhere) as the anchor: capture-to-decode
/// latency (the capture time is painted into each frame and read back after decoding), the share of
/// encoded frames never decoded (residual loss after recovery), and CPU. On loopback, then 40 ms
/// apart (a round trip, through <see cref="Parley.Testing.DelayBridge"/>) with 0, 2 and 20 % of UDP
/// packets dropped both ways.
/// </summary>
internal static class CallBench
{
    private const string ChromiumBinary = "/usr/lib/chromium/chromium";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(4);

    private sealed record Run(string Name, List<double> Latencies, long Encoded, long Decoded, double AliceNodeCpu, double BobNodeCpu, double BrowserCpu)
    {
        /// <summary>The size the sender encoded at the end (Parley's engine encodes the camera's own size).</summary>
        public string Sent { get; init; } = "1280x720";

        /// <summary>The video codec: the one Parley's pages agreed on, then used by WebRTC too, so both arms do the same work.</summary>
        public string Codec { get; init; } = "VP8";

        /// <summary>The browsers' busiest kinds of thread over the window, in % of a core (both pages together).</summary>
        public string Threads { get; init; } = "";

        /// <summary>Ms a frame spends in each stage on each page: WebRTC's getStats means (both Parley's WebRTC engine and the anchor), or the WebCodecs engine's recent medians.</summary>
        public string? Stages { get; init; }

        public double Residual => Encoded == 0 ? double.NaN : Math.Max(0, 1 - (double)Decoded / Encoded);

        /// <summary>Frames a second each way: the frames both pages encoded over the window, halved.</summary>
        public double Fps(TimeSpan window) => Encoded / window.TotalSeconds / 2;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Array.IndexOf(args, "--seconds");
        var roundsAt = Array.IndexOf(args, "--rounds");
        var rounds = roundsAt >= 0 && roundsAt + 1 < args.Length ? int.Parse(args[roundsAt + 1], CultureInfo.InvariantCulture) : 3;
        var withWebCodecs = args.Contains("--webcodecs");
        var window = TimeSpan.FromSeconds(seconds >= 0 && seconds + 1 < args.Length ? int.Parse(args[seconds + 1], CultureInfo.InvariantCulture) : 15);
        Console.WriteLine($"720p30 stamped canvas camera both ways, in the codec Parley's pages agree on (WebRTC then uses it too); {Warmup.TotalSeconds:0} s warm-up, then {window.TotalSeconds:0} s measured; " +
            "latency = decode time minus capture time (ms); residual = encoded frames never decoded; CPU in % of one core over the window");
        if (!args.Contains("--apart-only"))
        {
            await using var sides = await CallSides.OnLoopbackAsync();
            await CompareAsync(sides, "loopback", window, rounds, withWebCodecs);
        }
        if (args.Contains("--loopback-only"))
        {
            return 0;
        }
        await using (var sides = await CallSides.ApartAsync(TimeSpan.FromMilliseconds(20)))
        {
            await CompareAsync(sides, "40 ms round trip", window, rounds, withWebCodecs);
            foreach (var loss in args.Contains("--no-loss") ? [] : new[] { 2, 20 })
            {
                sides.Lan!.DropUdp(loss);
                await CompareAsync(sides, $"40 ms round trip, {loss} % of UDP dropped each way", window, rounds, withWebCodecs, loss);
                sides.Lan.HealUdp();
            }
            Console.WriteLine($"(the delay bridge carried {sides.Lan!.Bridged} frames)");
        }
        return 0;
    }

    /// <summary>
    /// Each arm <see cref="Rounds"/> times, the order rotated each round: Parley (its pages on WebRTC's engine, packets through the
    /// nodes), WebRTC page to page, and with <c>--webcodecs</c> Parley's own WebCodecs engine too. Every round is printed; the
    /// summary gives the median and the spread, and calls a target met only when the worst round meets it.
    /// </summary>
    private static async Task CompareAsync(CallSides sides, string path, TimeSpan window, int rounds, bool withWebCodecs, int lossPercent = 0)
    {
        Console.WriteLine(path);
        var all = new List<(Run Parley, Run WebRtc, Run? WebCodecs)>();
        for (var round = 1; round <= rounds; round++)
        {
            // Each round runs the arms in another order (rotated), so none always goes first or last on a machine that warms up;
            // WebRTC takes the codec Parley's pages agreed on, so round 1 starts with Parley.
            var arms = new List<string> { "parley", "webrtc" };
            if (withWebCodecs)
            {
                arms.Add("webcodecs");
            }
            var order = arms.Skip((round - 1) % arms.Count).Concat(arms.Take((round - 1) % arms.Count)).ToList();
            var runs = new Dictionary<string, Run>();
            foreach (var arm in order)
            {
                runs[arm] = arm switch
                {
                    "webrtc" => await WebRtcCallAsync(sides, window, all.Count > 0 ? all[0].Parley.Codec : runs["parley"].Codec),
                    "parley" => await ParleyCallAsync(sides, window, "webrtc"),
                    _ => await ParleyCallAsync(sides, window, "webcodecs"),
                };
            }
            var (parley, webrtc, webcodecs) = (runs["parley"], runs["webrtc"], runs.GetValueOrDefault("webcodecs"));
            all.Add((parley, webrtc, webcodecs));
            Console.WriteLine($" round {round}");
            foreach (var run in new[] { parley, webrtc, webcodecs }.OfType<Run>())
            {
                var nodes = run.Name != "webrtc" ? $"  nodes alice {run.AliceNodeCpu:0.0} % bob {run.BobNodeCpu:0.0} %" : "";
                Console.WriteLine($"  {run.Name,-9} latency median {Percentile(run.Latencies, 0.5),6:0.0} p95 {Percentile(run.Latencies, 0.95),6:0.0} ({run.Latencies.Count} frames)" +
                    $"  residual {run.Residual * 100,5:0.00} % of {run.Encoded} frames ({run.Fps(window):0.0} fps, {run.Sent} {run.Codec})  browsers {run.BrowserCpu:0} %{nodes}");
                Console.WriteLine($"            stages, ms a frame: {run.Stages}");
                Console.WriteLine($"            busiest browser threads, % of a core: {run.Threads}");
            }
            Console.WriteLine($"  order {string.Join(", ", order)}");
            foreach (var engine in new[] { parley, webcodecs }.OfType<Run>())
            {
                Console.WriteLine($"  ratios {engine.Name}/webrtc: latency {Ratio(engine, webrtc):0.00}x, frame rate {engine.Fps(window) / webrtc.Fps(window):0.00}x" +
                    (lossPercent > 0 ? $", residual {engine.Residual * 100 / lossPercent:0.00}x injected (webrtc {webrtc.Residual * 100 / lossPercent:0.00}x)" : ""));
            }
        }
        Summarize(all, window, lossPercent);
    }

    private static void Summarize(List<(Run Parley, Run WebRtc, Run? WebCodecs)> all, TimeSpan window, int lossPercent)
    {
        foreach (var arm in new Func<(Run Parley, Run WebRtc, Run? WebCodecs), Run?>[] { r => r.Parley, r => r.WebRtc, r => r.WebCodecs })
        {
            var runs = all.Select(arm).OfType<Run>().ToList();
            if (runs.Count > 0)
            {
                Console.WriteLine($"  {runs[0].Name,-9} over {runs.Count} rounds, median (spread): latency median {Spread(runs.Select(r => Percentile(r.Latencies, 0.5)), "0")} ms, " +
                    $"p95 {Spread(runs.Select(r => Percentile(r.Latencies, 0.95)), "0")} ms, {Spread(runs.Select(r => r.Fps(window)), "0.0")} fps, " +
                    $"residual {Spread(runs.Select(r => r.Residual * 100), "0.00")} %, browsers {Spread(runs.Select(r => r.BrowserCpu), "0")} %");
            }
        }
        // The verdict for each of Parley's engines against WebRTC in the same rounds: WebCodecs (the default) and WebRTC's engine through the nodes.
        foreach (var engine in new Func<(Run Parley, Run WebRtc, Run? WebCodecs), Run?>[] { r => r.WebCodecs, r => r.Parley })
        {
            var pairs = all.Where(r => engine(r) is not null).Select(r => (Engine: engine(r)!, r.WebRtc)).ToList();
            if (pairs.Count == 0)
            {
                continue;
            }
            var latency = pairs.Select(p => Ratio(p.Engine, p.WebRtc)).ToList();
            var fps = pairs.Select(p => p.Engine.Fps(window) / p.WebRtc.Fps(window)).ToList();
            var residual = pairs.Max(p => p.Engine.Residual * 100 / Math.Max(lossPercent, 1));
            var verdict = latency.Max() <= 1.0 && fps.Min() >= 0.95 && (lossPercent == 0 || residual <= 0.25);
            Console.WriteLine($"  {pairs[0].Engine.Name}/webrtc: latency {Spread(latency, "0.00")}x (worst {latency.Max():0.00}x, target ≤ 1.0x), frame rate {Spread(fps, "0.00")}x (worst {fps.Min():0.00}x, target ≥ 0.95x)" +
                (lossPercent > 0 ? $", residual worst {residual:0.00}x injected (target ≤ 0.25x)" : "") +
                $": {(verdict ? "met in every round" : "NOT met in every round")}");
        }
    }

    private static double Ratio(Run parley, Run webrtc) => Percentile(parley.Latencies, 0.5) / Percentile(webrtc.Latencies, 0.5);

    /// <summary>The browser's own per-frame means on each page, from a WebRTC engine's counters (<c>rtcCounts</c> in the probe).</summary>
    private static string RtcStages(string side, JsonElement c)
    {
        double Mean(string seconds, string count) => 1000 * c.GetProperty(seconds).GetDouble() / Math.Max(1, c.GetProperty(count).GetDouble());
        return $"{side} encode {Mean("encodeSeconds", "encoded"):0.0}, pacer {Mean("sendDelaySeconds", "packetsSent"):0.0} a packet, jitter buffer {Mean("jitterSeconds", "emitted"):0.0}, decode {Mean("decodeSeconds", "decoded"):0.0}";
    }

    /// <summary>
    /// A video call from alice to bob, accepted, on the engine asked for ("webrtc": Chromium's, packets through the nodes; else
    /// Parley's WebCodecs engine), after <paramref name="reload"/> so the pages pick it up; returns the codec the pages agreed on.
    /// </summary>
    public static async Task<string> DialAsync(CallSide alice, CallSide bob, string engine, Func<Task> reload)
    {
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            // The pages offer WebRTC's engine only when asked to (session.js); the node picks it when both offer it.
            await page.EvaluateAsync("engine => engine === 'webrtc' ? localStorage.setItem('parley-call-engine', engine) : localStorage.removeItem('parley-call-engine')", engine);
        }
        await reload();
        await alice.Page.EvaluateAsync("() => location.hash = '#/calls'");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Video call {bob.Name}" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Accept video" }).ClickAsync();
        // The call's status line (in the closed Details, hence hidden) starts with the codec the pages agreed on ("H264 · sent …").
        var status = alice.Page.GetByRole(AriaRole.Status, new() { IncludeHidden = true }).Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^(VP8|VP9|H264) ·") });
        return (await status.TextContentAsync())!.Split(' ')[0];
    }

    private static async Task<Run> ParleyCallAsync(CallSides sides, TimeSpan window, string engine)
    {
        var codec = await DialAsync(sides.Alice, sides.Bob, engine, sides.ReloadAsync);
        // The engine's own counters (video frames sent and decoded, and how long a frame takes in each).
        const string Stats = "async () => { const s = await __probe.parleyStats(); return [s.sent.video, s.decoded.video, s.encodeMs, s.decodeMs]; }";
        var run = await MeasureAsync(sides, engine == "webrtc" ? "parley" : "webcodecs", window, async page =>
        {
            var stats = await page.EvaluateAsync<double[]>(Stats);
            return ((long)stats[0], (long)stats[1]);
        });
        var stages = new List<string>();
        var sent = "1280x720";
        foreach (var side in new[] { sides.Alice, sides.Bob })
        {
            if (engine == "webrtc")
            {
                var counts = await side.Page.EvaluateAsync<JsonElement>("() => __probe.parleyCounts()");
                stages.Add(RtcStages(side.Name, counts));
                sent = counts.GetProperty("size").GetString()!;
            }
            else
            {
                var stats = await side.Page.EvaluateAsync<double[]>(Stats);
                stages.Add($"{side.Name} encode {stats[2]:0} ms, decode {stats[3]:0} ms (median of the last 63, waits included)");
            }
        }
        await sides.Alice.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        return run with { Stages = string.Join("; ", stages), Codec = codec, Sent = sent };
    }

    private static async Task<Run> WebRtcCallAsync(CallSides sides, TimeSpan window, string codec)
    {
        var mime = $"video/{codec}";
        await sides.ReloadAsync();
        // Offer and answer (with every ICE candidate gathered) pass between the pages as JSON text: the bench is the signalling server.
        var offer = await sides.Alice.Page.EvaluateAsync<string>("async mime => JSON.stringify(await __probe.webrtc.start(null, mime))", mime);
        var answer = await sides.Bob.Page.EvaluateAsync<string>("async ([offer, mime]) => JSON.stringify(await __probe.webrtc.start(JSON.parse(offer), mime))", new[] { offer, mime });
        await sides.Alice.Page.EvaluateAsync("answer => __probe.webrtc.finish(JSON.parse(answer))", answer);
        var run = await MeasureAsync(sides, "webrtc", window, async page =>
        {
            var counts = await page.EvaluateAsync<JsonElement>("() => __probe.webrtc.counts()");
            return (counts.GetProperty("encoded").GetInt64(), counts.GetProperty("decoded").GetInt64());
        });
        var stages = new List<string>();
        JsonElement aliceCounts = default;
        foreach (var side in new[] { sides.Alice, sides.Bob })
        {
            var counts = await side.Page.EvaluateAsync<JsonElement>("() => __probe.webrtc.counts()");
            aliceCounts = side == sides.Alice ? counts : aliceCounts;
            stages.Add(RtcStages(side.Name, counts));
        }
        await sides.ReloadAsync(); // closes the peer connection
        return run with { Sent = aliceCounts.GetProperty("size").GetString()!, Codec = $"{codec} ({aliceCounts.GetProperty("encoder").GetString()})", Stages = string.Join("; ", stages) };
    }

    /// <summary>Waits for video both ways, lets it settle, then counts over the window: frames each side encoded and decoded, latencies read, CPU used.</summary>
    private static async Task<Run> MeasureAsync(CallSides sides, string name, TimeSpan window, Func<IPage, Task<(long Encoded, long Decoded)>> counts)
    {
        var pages = new[] { sides.Alice.Page, sides.Bob.Page };
        foreach (var page in pages)
        {
            await page.WaitForFunctionAsync("() => __probe.latencies.length >= 30", null, new() { Timeout = 30_000 });
        }
        await Task.Delay(Warmup);
        var startLatencies = new List<int>();
        var before = new List<(long Encoded, long Decoded)>();
        foreach (var page in pages)
        {
            startLatencies.Add(await page.EvaluateAsync<int>("() => __probe.latencies.length"));
            before.Add(await counts(page));
        }
        var (aliceNode, bobNode, browsers) = (Proc.CpuTime(sides.Alice.Node.Process.Id), Proc.CpuTime(sides.Bob.Node.Process.Id), Proc.CpuTimeOf(ChromiumBinary));
        var threads = Proc.ThreadCpuTimeOf(ChromiumBinary);
        var trace = await PageTrace.StartIfAskedAsync(sides.Alice.Page, name);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var elapsed = clock.Elapsed;
        var busiest = Proc.ThreadCpuTimeOf(ChromiumBinary).Select(t => (t.Key, Used: t.Value - threads.GetValueOrDefault(t.Key))).OrderByDescending(t => t.Used).Take(6)
            .Select(t => $"{t.Key} {100 * t.Used / elapsed:0}");
        var cpu = (Alice: Proc.CpuTime(sides.Alice.Node.Process.Id) - aliceNode, Bob: Proc.CpuTime(sides.Bob.Node.Process.Id) - bobNode, Browsers: Proc.CpuTimeOf(ChromiumBinary) - browsers);
        if (trace is not null)
        {
            await trace.StopAsync();
        }
        var latencies = new List<double>();
        var after = new List<(long Encoded, long Decoded)>();
        for (var i = 0; i < pages.Length; i++)
        {
            after.Add(await counts(pages[i]));
            latencies.AddRange(await pages[i].EvaluateAsync<double[]>("from => __probe.latencies.slice(from)", startLatencies[i]));
        }
        // Frames one side encoded are the frames the other side should decode.
        var encoded = after[0].Encoded - before[0].Encoded + after[1].Encoded - before[1].Encoded;
        var decoded = after[0].Decoded - before[0].Decoded + after[1].Decoded - before[1].Decoded;
        double Share(TimeSpan used) => 100 * used / elapsed;
        return new Run(name, latencies, encoded, decoded, Share(cpu.Alice), Share(cpu.Bob), Share(cpu.Browsers)) { Threads = string.Join(", ", busiest) };
    }
}
