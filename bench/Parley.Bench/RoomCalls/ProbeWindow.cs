using System.Diagnostics;
using Parley.Bench.Calls;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// One arm's measured window: the capture-to-display latencies of every stream (sender → receiver, read by the
/// probe from the stamps of the frames each page showed), the window's length, and the CPU the bench's browsers and
/// the arm's servers (the hub and nodes, or Janus) used over it, in % of one core.
/// </summary>
internal sealed record ArmRun(string Name, Dictionary<string, List<double>> Streams, double Seconds, double BrowserCpu, double ServerCpu)
{
    public List<double> All => [.. Streams.Values.SelectMany(v => v)];

    /// <summary>The arm's own counters a second over the window (see <see cref="ProbeWindow.MeasureAsync"/>), empty when it has none.</summary>
    public double[] Rates { get; init; } = [];

    /// <summary>The browsers' busiest kinds of thread over the window, in % of a core (all pages together).</summary>
    public string Threads { get; init; } = "";

    /// <summary>Ms a frame spends in the encoder and decoder (and WebRTC's jitter buffer), as each page's engine counts them.</summary>
    public string Stages { get; init; } = "";

    /// <summary>Frames a second shown of each stream: the slowest stream's, and the mean over streams.</summary>
    public (double Min, double Mean) Fps => (Streams.Values.Min(v => v.Count) / Seconds, Streams.Values.Average(v => v.Count) / Seconds);
}

internal static class ProbeWindow
{
    private const string ChromiumBinary = "/usr/lib/chromium/chromium";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Waits until each receiver shows 30 stamped frames from each of its senders, lets the call settle, then takes every
    /// frame each receiver shows over <paramref name="window"/>, by sender; <paramref name="counters"/> (frames an engine
    /// encoded and decoded, say) are read at both ends of the window, and their rates kept.
    /// </summary>
    public static async Task<ArmRun> MeasureAsync(string name, IReadOnlyList<CallSide> people, IReadOnlyList<(CallSide Receiver, CallSide[] Senders)> streams,
        TimeSpan window, IReadOnlyList<int> serverPids, Func<Task<double[]>>? counters = null)
    {
        int Number(CallSide person) => RoomCallPages.Sender(person, people);
        foreach (var (receiver, senders) in streams)
        {
            await receiver.Page.WaitForFunctionAsync("senders => senders.every(s => (__probe.bySender[s]?.length ?? 0) >= 30)",
                senders.Select(Number).ToArray(), new() { Timeout = 30_000, PollingInterval = 100 });
        }
        await Task.Delay(Warmup);
        var starts = new List<Dictionary<string, int>>();
        foreach (var (receiver, _) in streams)
        {
            starts.Add(await receiver.Page.EvaluateAsync<Dictionary<string, int>>("() => Object.fromEntries(Object.entries(__probe.bySender).map(([k, v]) => [k, v.length]))"));
        }
        TimeSpan ServerCpu() => serverPids.Aggregate(TimeSpan.Zero, (total, pid) => total + Proc.CpuTime(pid));
        var countedBefore = counters is null ? [] : await counters();
        var (browsers, servers) = (Proc.CpuTimeOfOurs(ChromiumBinary), ServerCpu());
        var threads = Proc.ThreadCpuTimeOf(ChromiumBinary, oursOnly: true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var elapsed = clock.Elapsed;
        var (browsersUsed, serversUsed) = (Proc.CpuTimeOfOurs(ChromiumBinary) - browsers, ServerCpu() - servers);
        var busiest = Proc.ThreadCpuTimeOf(ChromiumBinary, oursOnly: true).Select(t => (t.Key, Used: t.Value - threads.GetValueOrDefault(t.Key)))
            .OrderByDescending(t => t.Used).Take(6).Select(t => $"{t.Key} {100 * t.Used / elapsed:0}");
        var countedAfter = counters is null ? [] : await counters();
        var shown = new Dictionary<string, List<double>>();
        for (var i = 0; i < streams.Count; i++)
        {
            var (receiver, senders) = streams[i];
            var frames = await receiver.Page.EvaluateAsync<Dictionary<string, double[]>>(
                "from => Object.fromEntries(Object.entries(__probe.bySender).map(([k, v]) => [k, v.slice(from[k] ?? 0)]))", starts[i]);
            foreach (var sender in senders)
            {
                shown[$"{sender.Name}→{receiver.Name}"] = [.. frames.GetValueOrDefault(Number(sender).ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? []];
            }
        }
        return new ArmRun(name, shown, elapsed.TotalSeconds, 100 * browsersUsed / elapsed, 100 * serversUsed / elapsed)
        {
            Rates = [.. countedAfter.Zip(countedBefore, (after, before) => (after - before) / elapsed.TotalSeconds)],
            Threads = string.Join(", ", busiest),
        };
    }
}
