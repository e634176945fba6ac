using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Parley.Node;
using Parley.Node.Files;

namespace Parley.Bench;

/// <summary>
/// The video library measured in Chromium: time from Play to the first frame shown, and from a seek
/// to the next frame, for a peer's video streamed through Parley (bob's node fetching ranges from
/// alice's over the link), beside the same file from a plain HTTP server (ASP.NET static files,
/// ranges, no Parley) across the same link; on loopback and through a 40 ms round trip. Then the
/// rate of streaming a whole file against sending the same file with a Parley transfer.
/// </summary>
internal static class VideoBench
{
    private const int Runs = 5;
    private static readonly double[] SeekPoints = [0.25, 0.5, 0.75, 0.1];

    public static async Task<int> RunAsync(string[] args)
    {
        var mib = args.Length > 1 && args[0] == "--size-mib" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 256;
        var folder = Directory.CreateTempSubdirectory("parley-bench-videos-").FullName;
        try
        {
            var video = Path.Combine(folder, "clip_720p.mp4");
            Ffmpeg($"-hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 30 -g 60 " +
                $"-c:v libx264 -preset ultrafast -b:v 3M -pix_fmt yuv420p -c:a aac -b:a 96k {video}");
            Console.WriteLine($"clip: 30 s of 1280x720 H.264/AAC, {new FileInfo(video).Length / 1e6:0.0} MB (moov at the end, as ffmpeg writes it); median of {Runs} runs");
            await using var browser = await BrowserAsync();
            foreach (var delay in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(20) })
            {
                await MeasureLatencyAsync(browser, folder, delay);
            }
            await MeasureThroughputAsync(folder, video, mib);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task MeasureLatencyAsync(IBrowser browser, string folder, TimeSpan oneWay)
    {
        var proxies = new List<DelayProxy>();
        IPEndPoint Route(IPEndPoint target) => DelayProxy.Route(target, oneWay, proxies);
        try
        {
            await using var nodes = await BenchNodes.StartAsync(Route, aliceVideos: folder);
            await using var plain = await PlainServer.StartAsync(folder);
            var plainUrl = $"http://{Route(plain.EndPoint)}";
            var variant = (await nodes.Bob.Videos.Viewer.ListAsync(nodes.Alice.DeviceId)).Titles.Single().Variants.Single();
            var streamPath = $"/api/peers/{nodes.Alice.DeviceId.Compact}/videos/{variant.Id}";

            var link = oneWay == TimeSpan.Zero ? "loopback" : $"{oneWay.TotalMilliseconds * 2:0} ms round trip (user-space delay proxy)";
            Console.WriteLine($"Play and seek, {link}");
            var parley = new List<JsonElement>();
            var http = new List<JsonElement>();
            for (var run = 0; run < Runs; run++)
            {
                // A fresh page each time, as a person opening a video would have: nothing cached, decoders cold.
                parley.Add(await InFreshPageAsync(browser, nodes.Bob.CreateLoginUrl().ToString(), async page =>
                {
                    // A quiet page of the node's origin (not the busy app), like the plain server's empty page.
                    await page.GotoAsync(nodes.Bob.ApiUrl + "api/session");
                    return await PlayAndSeekAsync(page, streamPath);
                }));
                http.Add(await InFreshPageAsync(browser, plainUrl + "/index.html", page => PlayAndSeekAsync(page, "/clip_720p.mp4")));
            }
            var ui = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                ui.Add(await PlayInWebUiAsync(browser, nodes));
            }
            var (parleyPlay, parleySeek) = Medians(parley);
            var (httpPlay, httpSeek) = Medians(http);
            var uiPlay = Median(ui);
            Console.WriteLine($"  parley (peer's file over the link)     play→first frame {parleyPlay,7:0.0} ms   seek→frame {parleySeek,7:0.0} ms");
            Console.WriteLine($"  plain HTTP server (same file, link)    play→first frame {httpPlay,7:0.0} ms   seek→frame {httpSeek,7:0.0} ms");
            Console.WriteLine($"  ratio parley/plain                     play {parleyPlay / httpPlay,5:0.00}x                seek {parleySeek / httpSeek,5:0.00}x");
            Console.WriteLine($"  parley web UI: Play click→first frame  {uiPlay,7:0.0} ms (automatic resolution: a 1 MiB probe first), {uiPlay / httpPlay:0.00}x plain");
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The Videos view as a person uses it, in a fresh page (so nothing is cached): click Play on
    /// alice's title, time to the first frame the player presents.
    /// </summary>
    private static async Task<double> PlayInWebUiAsync(IBrowser browser, BenchNodes nodes)
    {
        var page = await browser.NewPageAsync();
        try
        {
            await page.GotoAsync(nodes.Bob.CreateLoginUrl().ToString());
            await page.GotoAsync($"{nodes.Bob.ApiUrl.ToString().TrimEnd('/')}/#/videos/{nodes.Alice.DeviceId.Compact}");
            var play = page.Locator(".video-card button.primary");
            await play.WaitForAsync();
            await page.WaitForTimeoutAsync(1000); // a person reads the list before clicking; the fresh page finishes loading meanwhile
            await page.EvaluateAsync("""
                () => {
                  const v = document.querySelector('.player video');
                  document.querySelector('.video-card button.primary').addEventListener('click', () => { window.benchClicked = performance.now(); }, { capture: true });
                  v.requestVideoFrameCallback(() => { window.benchFrame = performance.now(); });
                }
                """);
            await play.ClickAsync();
            await page.WaitForFunctionAsync("() => window.benchFrame !== undefined", null, new() { Timeout = 30_000 });
            var elapsed = await page.EvaluateAsync<double>("() => window.benchFrame - window.benchClicked");
            await page.Locator(".player button", new() { HasText = "Stop" }).ClickAsync();
            return elapsed;
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task<T> InFreshPageAsync<T>(IBrowser browser, string url, Func<IPage, Task<T>> work)
    {
        var page = await browser.NewPageAsync();
        try
        {
            await page.GotoAsync(url);
            return await work(page);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static (double Play, double Seek) Medians(List<JsonElement> runs) => (
        Median(runs.Select(r => r.GetProperty("play").GetDouble())),
        Median(runs.SelectMany(r => r.GetProperty("seeks").EnumerateArray().Select(s => s.GetDouble()))));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>In the page: a fresh video element plays <paramref name="src"/>; times to the first presented frame, then seek → seeked → next frame.</summary>
    private static Task<JsonElement> PlayAndSeekAsync(IPage page, string src) => page.EvaluateAsync<JsonElement>("""
        async ([src, points]) => {
          const v = document.createElement('video');
          document.body.append(v);
          const frame = () => new Promise(r => v.requestVideoFrameCallback(() => r(performance.now())));
          const t0 = performance.now();
          const first = frame();
          v.src = src;
          await v.play();
          const play = (await first) - t0;
          const seeks = [];
          for (const at of points) {
            const s0 = performance.now();
            const seeked = new Promise(r => v.addEventListener('seeked', r, { once: true }));
            v.currentTime = v.duration * at;
            await seeked;
            seeks.push((await frame()) - s0);
          }
          v.pause();
          v.removeAttribute('src');
          v.load();
          v.remove();
          return { play, seeks };
        }
        """, new object[] { src, SeekPoints });

    /// <summary>The whole file streamed through bob's node (as a player reads it) against the same bytes sent as a transfer.</summary>
    private static async Task MeasureThroughputAsync(string folder, string video, int mib)
    {
        var big = Path.Combine(folder, "big_720p.mp4");
        File.Copy(video, big);
        await using (var tail = new FileStream(big, FileMode.Append))
        {
            // A 'free' box of random bytes: still a valid MP4, now the size asked for.
            var pad = ((long)mib << 20) - tail.Length;
            tail.Write([(byte)(pad >> 24), (byte)(pad >> 16), (byte)(pad >> 8), (byte)pad, .. "free"u8]);
            var chunk = new byte[1 << 20];
            for (long written = 8; written < pad; written += chunk.Length)
            {
                Random.Shared.NextBytes(chunk);
                await tail.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, pad - written)));
            }
        }
        File.Delete(video);
        await using var nodes = await BenchNodes.StartAsync(aliceVideos: folder);
        await nodes.Bob.Files.SetAutoAcceptAsync(nodes.Alice.DeviceId, true);
        await nodes.Bob.Files.SetDownloadFolderAsync(Path.Combine(nodes.Root, "received"));
        var variant = (await nodes.Bob.Videos.Viewer.ListAsync(nodes.Alice.DeviceId)).Titles.Single().Variants.Single();
        using var http = new HttpClient { BaseAddress = nodes.Bob.ApiUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", nodes.Bob.ApiKey);
        Console.WriteLine($"Whole file of {mib} MiB, loopback");
        var streamTimes = new List<double>();
        var sendTimes = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var watch = Stopwatch.StartNew();
            using (var response = await http.GetAsync($"/api/peers/{nodes.Alice.DeviceId.Compact}/videos/{variant.Id}", HttpCompletionOption.ResponseHeadersRead))
            {
                await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
            }
            streamTimes.Add(watch.Elapsed.TotalSeconds);
            watch.Restart();
            var (transfer, _) = await nodes.Alice.Files.OfferAsync(nodes.Bob.DeviceId, [big]);
            while (!transfer.IsFinal)
            {
                await Task.Delay(5);
            }
            sendTimes.Add(watch.Elapsed.TotalSeconds);
            File.Delete(Path.Combine(nodes.Root, "received", Path.GetFileName(big)));
        }
        var (stream, send) = (Median(streamTimes), Median(sendTimes));
        Console.WriteLine($"  parley range streaming to a player (memory only)   {stream,6:0.00} s  {mib / stream,7:0.0} MiB/s");
        Console.WriteLine($"  parley file transfer (SHA-256, written, fsync)    {send,6:0.00} s  {mib / send,7:0.0} MiB/s");
        Console.WriteLine($"  ratio streaming/transfer rate: {send / stream:0.00}x");
    }

    private static async Task<IBrowser> BrowserAsync()
    {
        var playwright = await Playwright.CreateAsync();
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--autoplay-policy=no-user-gesture-required", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    private static void Ffmpeg(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("ffmpeg", arguments) { RedirectStandardError = true })!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("ffmpeg failed: " + errors);
        }
    }

    /// <summary>The anchor: the folder behind ASP.NET Core's static files (ranges, no cache), on loopback.</summary>
    private sealed class PlainServer(WebApplication app) : IAsyncDisposable
    {
        public IPEndPoint EndPoint { get; } = new(IPAddress.Loopback, new Uri(app.Urls.First()).Port);

        public static async Task<PlainServer> StartAsync(string folder)
        {
            File.WriteAllText(Path.Combine(folder, "index.html"), "<!doctype html><title>plain</title>");
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(folder),
                ServeUnknownFileTypes = true,
                OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-store",
            });
            await app.StartAsync();
            return new PlainServer(app);
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
