using System.Text.Json;
using Microsoft.Playwright;

namespace Parley.Bench.Calls;

/// <summary>
/// For finding where a page's time goes: with <c>PARLEY_BENCH_TRACE=/some/prefix</c> set, the
/// measured window of each arm is recorded from alice's page as a Chromium trace
/// (<c>prefix-arm.json</c>, every process and thread, for chrome://tracing or Perfetto) and a
/// JavaScript CPU profile (<c>prefix-arm.cpuprofile</c>, for DevTools).
/// </summary>
internal sealed class PageTrace
{
    private const string Categories = "toplevel,devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,media,blink,cc,webrtc";
    private readonly ICDPSession _cdp;
    private readonly string _path;
    private readonly List<JsonElement> _events = [];
    private readonly TaskCompletionSource _complete = new();

    private PageTrace(ICDPSession cdp, string path) => (_cdp, _path) = (cdp, path);

    /// <summary>Starts recording when the environment asks for it; otherwise null.</summary>
    public static async Task<PageTrace?> StartIfAskedAsync(IPage page, string arm)
    {
        if (Environment.GetEnvironmentVariable("PARLEY_BENCH_TRACE") is not { Length: > 0 } prefix)
        {
            return null;
        }
        var trace = new PageTrace(await page.Context.NewCDPSessionAsync(page), $"{prefix}-{arm}");
        trace._cdp.Event("Tracing.dataCollected").OnEvent += (_, e) =>
        {
            lock (trace._events)
            {
                trace._events.AddRange(e!.Value.GetProperty("value").EnumerateArray().Select(x => x.Clone()));
            }
        };
        trace._cdp.Event("Tracing.tracingComplete").OnEvent += (_, _) => trace._complete.TrySetResult();
        await trace._cdp.SendAsync("Profiler.enable");
        await trace._cdp.SendAsync("Profiler.start");
        await trace._cdp.SendAsync("Tracing.start", new Dictionary<string, object> { ["categories"] = Categories, ["transferMode"] = "ReportEvents" });
        return trace;
    }

    public async Task StopAsync()
    {
        var profile = await _cdp.SendAsync("Profiler.stop");
        await File.WriteAllTextAsync($"{_path}.cpuprofile", profile!.Value.GetProperty("profile").GetRawText());
        await _cdp.SendAsync("Tracing.end");
        await _complete.Task.WaitAsync(TimeSpan.FromSeconds(60));
        lock (_events)
        {
            File.WriteAllText($"{_path}.json", JsonSerializer.Serialize(new { traceEvents = _events }));
        }
        Console.WriteLine($"  (traced alice's page: {_path}.json, {_path}.cpuprofile)");
    }
}
