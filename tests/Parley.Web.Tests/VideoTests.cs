using System.Text.Json;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Bob watches alice's videos in Chromium: list, play past 2 s, seek to the middle and play on,
/// switch resolution keeping the position, stop — and nothing of the video lands on bob's disk.
/// </summary>
public sealed class VideoTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webvideo-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Bob_plays_seeks_switches_and_stops_alices_video_without_saving_it()
    {
        var bobTemp = Directory.CreateDirectory(Path.Combine(_root, "bob-tmp")).FullName;
        await using var browser = await Browser.LaunchAsync();
        var (alice, bob) = await StartPairAsync(browser, new ParleyRunner { Environment = new Dictionary<string, string> { ["TMPDIR"] = bobTemp } });
        await using var aliceScope = alice;
        await using var bobScope = bob;
        var watched = new[] { bob.Node.Home, bobTemp }.Concat(Directory.GetDirectories(Path.GetTempPath(), "playwright_chromiumdev_profile-*")).ToArray();
        var before = Sizes(watched);
        var page = bob.Page;

        await bob.GoAsync("videos");
        var cards = page.Locator(".video-card");
        await Expect(cards).ToHaveCountAsync(2, new() { Timeout = 20_000 });
        var dog = cards.Filter(new() { HasText = "dog" });
        await Expect(dog.Locator(".chip").First).ToContainTextAsync("240p");
        await Expect(dog.Locator(".chip").Last).ToContainTextAsync("480p");
        await Expect(dog).ToContainTextAsync("0:10 · h264/aac · mp4");
        // The library's screenshot (with poster frames) is VideoThumbnailTests'.

        // Play (automatic resolution): loopback is fast, so the highest variant.
        await dog.GetByRole(AriaRole.Button, new() { Name = "Play dog" }).ClickAsync();
        var player = page.Locator(".player");
        await Expect(player).ToHaveAttributeAsync("data-variant", "480p");
        await Expect(player.Locator("[role=status]")).ToContainTextAsync("Auto: 480p");
        await WaitForTimeAsync(page, 2.0);
        var facts = await VideoFactsAsync(page);
        Assert.Equal(854, facts.GetProperty("width").GetInt32());
        Assert.True(facts.GetProperty("frames").GetInt32() > 25, $"decoded frames: {facts}");
        Assert.True(facts.GetProperty("bright").GetBoolean(), "the decoded picture is black");

        // Seek to the middle and play on.
        await page.EvalOnSelectorAsync(".player video", "v => { v.currentTime = v.duration / 2; }");
        await WaitForTimeAsync(page, TestVideos.Seconds / 2 + 1);

        // Switch resolution: position kept, 240p shown, playing on.
        var at = await page.EvalOnSelectorAsync<double>(".player video", "v => v.currentTime");
        var lowId = await player.Locator("select option", new() { HasText = "240p" }).GetAttributeAsync("value");
        await player.Locator("select").SelectOptionAsync(lowId!);
        await Expect(player).ToHaveAttributeAsync("data-variant", "240p");
        await page.WaitForFunctionAsync("() => document.querySelector('.player video').videoWidth === 426");
        await WaitForTimeAsync(page, at + 0.5);
        var afterSwitch = await page.EvalOnSelectorAsync<double>(".player video", "v => v.currentTime");
        Assert.InRange(afterSwitch, at, at + 3);

        // Stop: the page lets go, bob's node ends its streams and alice stops reading within a second.
        await player.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
        await Expect(player).ToBeHiddenAsync();
        await AssertAliceStopsReadingAsync(alice);

        // WebM (VP9/Opus) plays too, picked by its chip.
        await cards.Filter(new() { HasText = "cat" }).Locator(".chip").Last.ClickAsync();
        await Expect(player).ToHaveAttributeAsync("data-variant", "480p");
        await WaitForTimeAsync(page, 1.0);
        Assert.Equal(854, (await VideoFactsAsync(page)).GetProperty("width").GetInt32());

        // The automatic choice, on its own: headroom, stepping down, stall counting.
        var rules = await page.EvalAsync<JsonElement>("""
            async () => {
              const m = await import('/js/videos-abr.js');
              const v = [{ id: 'a', bitrate: 300_000 }, { id: 'b', bitrate: 900_000 }, { id: 'c', bitrate: 3_000_000 }];
              const watch = new m.StallWatch(2, 30_000);
              return {
                fast: m.pickVariant(v, 10_000_000).id, middle: m.pickVariant(v, 2_000_000).id, slow: m.pickVariant(v, 100_000).id,
                edge: m.pickVariant(v, 1_350_000).id, down: m.stepDown(v, v[2]).id, bottom: m.stepDown(v, v[0]),
                stalls: [watch.note(0), watch.note(40_000), watch.note(50_000), watch.note(51_000)],
              };
            }
            """);
        Assert.Equal("c", rules.GetProperty("fast").GetString());
        Assert.Equal("b", rules.GetProperty("middle").GetString());
        Assert.Equal("a", rules.GetProperty("slow").GetString());
        Assert.Equal("b", rules.GetProperty("edge").GetString());
        Assert.Equal("b", rules.GetProperty("down").GetString());
        Assert.Equal(JsonValueKind.Null, rules.GetProperty("bottom").ValueKind);
        Assert.Equal([false, false, true, false], rules.GetProperty("stalls").EnumerateArray().Select(e => e.GetBoolean()));

        await Screenshots.SaveAsync(page, "videos-1280");
        await page.SetViewportSizeAsync(400, 800);
        await Screenshots.SaveAsync(page, "videos-400");
        Assert.True(await page.EvalAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the videos view is wider than a phone");
        // Closing the page (not Stop) ends the stream too.
        await dog.Locator(".chip").First.ClickAsync();
        await Expect(player).ToHaveAttributeAsync("data-variant", "240p");
        await WaitForTimeAsync(page, 0.5);
        await page.CloseAsync();
        await AssertAliceStopsReadingAsync(alice);

        var after = Sizes(watched);
        var grown = after.Where(f => f.Value - before.GetValueOrDefault(f.Key) > 1 << 20).Select(f => $"{f.Key} +{f.Value - before.GetValueOrDefault(f.Key):N0}").ToList();
        Assert.True(grown.Count == 0, "files grew by more than 1 MiB while watching: " + string.Join(", ", grown));
        Assert.Empty(browser.Dialogs);
        Assert.Empty(browser.Errors);
    }

    /// <summary>Within about a second (the CLI's own start-up included) alice has no read in flight, and a second later has sent nothing more.</summary>
    private static async Task AssertAliceStopsReadingAsync(NodeProcess alice)
    {
        var stoppedAt = DateTime.UtcNow;
        JsonElement status;
        do
        {
            status = (await alice.CliAsync("videos", "--json")).Json;
        }
        while (status.GetProperty("activeReads").GetInt32() > 0 && DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(5));
        Assert.True(DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(1.5), "alice was still reading after the stop");
        var served = status.GetProperty("bytesServed").GetInt64();
        await Task.Delay(1000);
        Assert.Equal(served, (await alice.CliAsync("videos", "--json")).Json.GetProperty("bytesServed").GetInt64());
    }

    /// <summary>Alice sharing the test videos (a process), bob signed in to his node in a page; contacts.</summary>
    private async Task<(NodeProcess Alice, WebNode Bob)> StartPairAsync(Browser browser, ParleyRunner? bobRunner = null)
    {
        var shared = Path.Combine(_root, "shared");
        await TestVideos.CopyToAsync(shared);
        var alice = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "alice"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "alice", "--videos", shared);
        var bob = await WebNode.StartAsync(bobRunner ?? ParleyRunner.Local, browser, Path.Combine(_root, "bob"), "bob");
        await NodeProcess.BefriendAsync(alice, bob.Node);
        return (alice, bob);
    }

    [Fact]
    public async Task Automatic_resolution_steps_down_when_the_stream_stalls()
    {
        await using var browser = await Browser.LaunchAsync();
        var (alice, bob) = await StartPairAsync(browser);
        await using var aliceScope = alice;
        await using var bobScope = bob;
        var page = bob.Page;
        var file = await File.ReadAllBytesAsync(Path.Combine(_root, "shared", "dog_480p.mp4"));
        var library = (await bob.Node.CliAsync("videos", "alice", "--json")).Json;
        var id480 = library.GetProperty("titles").EnumerateArray().Single(t => t.GetProperty("title").GetString() == "dog")
            .GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("label").GetString() == "480p").GetProperty("id").GetString();

        // The 480p stream gives its first 1.2 MB (about 3 s) and its tail (the moov box), then nothing more: a link that stalls.
        const int Given = 1_200_000;
        var held = new List<IRoute>();
        await page.RouteAsync($"**/videos/{id480}*", async route =>
        {
            var range = route.Request.Headers.TryGetValue("range", out var header) ? header : "bytes=0-";
            var match = System.Text.RegularExpressions.Regex.Match(range, @"bytes=(\d+)-(\d*)");
            var start = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var end = match.Groups[2].Value.Length > 0 ? long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : file.Length - 1;
            if (start >= file.Length - 200_000)
            {
                await route.ContinueAsync();
            }
            else if (start < Given)
            {
                var last = Math.Min(end, Given - 1);
                await route.FulfillAsync(new()
                {
                    Status = 206,
                    Headers = new Dictionary<string, string> { ["Content-Range"] = $"bytes {start}-{last}/{file.Length}", ["Content-Type"] = "video/mp4", ["Accept-Ranges"] = "bytes" },
                    BodyBytes = file[(int)start..(int)(last + 1)],
                });
            }
            else
            {
                held.Add(route); // never answered
            }
        });

        await bob.GoAsync("videos");
        var dog = page.Locator(".video-card").Filter(new() { HasText = "dog" });
        await dog.GetByRole(AriaRole.Button, new() { Name = "Play dog" }).ClickAsync();
        var player = page.Locator(".player");
        await Expect(player).ToHaveAttributeAsync("data-variant", "480p");
        await Expect(player).ToHaveAttributeAsync("data-variant", "240p", new() { Timeout = 20_000 });
        await Expect(player.Locator("[role=status]")).ToContainTextAsync("stepped down to 240p after a long stall");
        Assert.NotEmpty(held);
        var at = await page.EvalOnSelectorAsync<double>(".player video", "v => v.currentTime");
        Assert.True(at > 1, $"the stall came at {at:F1} s, before playback had begun");
        await WaitForTimeAsync(page, at + 1.5);
        Assert.Equal(426, (await VideoFactsAsync(page)).GetProperty("width").GetInt32());
        await player.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
        Assert.Empty(browser.Dialogs);
    }

    private static Task WaitForTimeAsync(IPage page, double seconds) =>
        page.WaitForFunctionAsync($"() => document.querySelector('.player video').currentTime >= {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            null, new() { Timeout = 20_000 });

    /// <summary>The decoded picture's width, frames decoded so far, and whether a pixel sample is not black.</summary>
    private static Task<JsonElement> VideoFactsAsync(IPage page) => page.EvalOnSelectorAsync<JsonElement>(".player video", """
        v => {
          const canvas = document.createElement('canvas');
          canvas.width = 64; canvas.height = 36;
          const g = canvas.getContext('2d');
          g.drawImage(v, 0, 0, 64, 36);
          const px = g.getImageData(0, 0, 64, 36).data;
          let sum = 0;
          for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
          return { width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames, bright: sum / (px.length / 4) > 30 };
        }
        """);

    private static Dictionary<string, long> Sizes(IEnumerable<string> folders) =>
        folders.Where(Directory.Exists)
            .SelectMany(f => new DirectoryInfo(f).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
            .GroupBy(f => f.FullName).ToDictionary(g => g.Key, g => g.First().Length);
}
