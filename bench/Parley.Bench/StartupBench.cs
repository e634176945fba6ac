using System.Diagnostics;

namespace Parley.Bench;

/// <summary>
/// Start-up to "ready" and idle resident memory of <c>parley up</c> as a real process, beside a
/// .NET process that does nothing (the runtime's floor), measured in the same run.
/// </summary>
internal static class StartupBench
{
    private static readonly string Here = AppContext.BaseDirectory;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 1 && args[0] == "--runs" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var home = Directory.CreateTempSubdirectory("parley-startup-").FullName;
        try
        {
            var nodeTimes = new List<double>();
            var nodeRss = new List<double>();
            var floorTimes = new List<double>();
            var floorRss = new List<double>();
            for (var i = 0; i <= runs; i++)
            {
                var (time, rss) = await MeasureAsync(Path.Combine(Here, "parley.dll"), ["--home", home, "up", "--port", "0", "--api-port", "0", "--no-discovery"], home);
                // Run 0 creates the identity and database; it is reported apart.
                if (i == 0)
                {
                    Console.WriteLine($"first start (creates identity and store): {time:0} ms");
                    continue;
                }
                nodeTimes.Add(time);
                nodeRss.Add(rss);
                var (floorTime, floorMemory) = await MeasureAsync(Path.Combine(Here, "Parley.Bench.dll"), ["idle"], null);
                floorTimes.Add(floorTime);
                floorRss.Add(floorMemory);
            }
            Console.WriteLine($"parley up to ready, median of {runs}: {Median(nodeTimes):0} ms   (empty .NET process to ready: {Median(floorTimes):0} ms, ratio {Median(nodeTimes) / Median(floorTimes):0.0}x)");
            Console.WriteLine($"idle resident memory after 5 s, median: {Median(nodeRss):0.0} MiB   (empty .NET process: {Median(floorRss):0.0} MiB, ratio {Median(nodeRss) / Median(floorRss):0.0}x)");
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Milliseconds from process start to its "ready" line, and VmRSS after 5 s idle.</summary>
    private static async Task<(double Milliseconds, double RssMiB)> MeasureAsync(string dll, string[] args, string? home)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        while (await process.StandardOutput.ReadLineAsync() is { } line && line != "ready")
        {
        }
        var startup = watch.Elapsed.TotalMilliseconds;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var rss = Proc.RssKiB(process.Id) / 1024.0;
        if (home is not null)
        {
            var stopInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
            foreach (var arg in new[] { Path.Combine(Here, "parley.dll"), "--home", home, "stop" })
            {
                stopInfo.ArgumentList.Add(arg);
            }
            using var stop = Process.Start(stopInfo)!;
            await stop.StandardOutput.ReadToEndAsync();
            await stop.WaitForExitAsync();
        }
        else
        {
            process.Kill();
        }
        await process.WaitForExitAsync();
        return (startup, rss);
    }

}
