using System.Text.Json;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Poster frames in the videos view: each of alice's titles gets the frame her node made with ffmpeg
/// (shown once it arrives, without a reload), served to bob's page as a sandboxed JPEG; bob's own shared
/// videos show theirs in the sharing card.
/// </summary>
public sealed class VideoThumbnailTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webthumbs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_friends_titles_show_their_poster_frames_and_so_do_your_own()
    {
        var shared = Path.Combine(_root, "shared");
        await TestVideos.CopyToAsync(shared);
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "alice"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "alice", "--videos", shared);
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob");
        await NodeProcess.BefriendAsync(alice, bob.Node);
        var page = bob.Page;

        // Straight away: the list is there before the frames (placeholders), and they come without a reload.
        await bob.GoAsync("videos");
        var library = page.Locator(".video-list").First;
        await Expect(library.Locator(".video-card")).ToHaveCountAsync(2, new() { Timeout = 20_000 });
        await Expect(library.Locator("img.video-thumb")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        var shown = await library.Locator("img.video-thumb").EvaluateAllAsync<JsonElement>(
            "imgs => Promise.all(imgs.map(i => i.decode().then(() => ({ w: i.naturalWidth, h: i.naturalHeight, src: i.getAttribute('src') }))))");
        foreach (var img in shown.EnumerateArray())
        {
            Assert.Equal((320, 180), (img.GetProperty("w").GetInt32(), img.GetProperty("h").GetInt32()));
        }

        // The bytes came from a peer: the route says exactly what they are and sandboxes them.
        var src = shown[0].GetProperty("src").GetString()!;
        Assert.Matches("^/api/peers/[A-Z0-9]+/videos/[0-9a-f]{32}/thumbnail$", src);
        var headers = await page.EvalAsync<JsonElement>(
            "async src => { const r = await fetch(src); return { type: r.headers.get('content-type'), csp: r.headers.get('content-security-policy'), sniff: r.headers.get('x-content-type-options'), status: r.status }; }", src);
        Assert.Equal(200, headers.GetProperty("status").GetInt32());
        Assert.Equal("image/jpeg", headers.GetProperty("type").GetString());
        Assert.Contains("sandbox", headers.GetProperty("csp").GetString());
        Assert.Equal("nosniff", headers.GetProperty("sniff").GetString());
        await Screenshots.SaveAsync(page, "videos-library");

        // On a phone the card wraps rather than squeezing the title to a letter a line.
        await page.SetViewportSizeAsync(400, 800);
        Assert.True(await page.EvalAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the videos view is wider than a phone");
        var titleWidths = await library.Locator(".video-title").EvaluateAllAsync<double[]>("els => els.map(e => e.getBoundingClientRect().width)");
        Assert.All(titleWidths, w => Assert.True(w >= 30, $"a title squeezed to {w} px"));
        var tallest = await library.Locator(".video-card").EvaluateAllAsync<double>("els => Math.max(...els.map(e => e.getBoundingClientRect().height))");
        Assert.True(tallest < 260, $"a card {tallest} px tall at 400 px wide");
        await page.SetViewportSizeAsync(1280, 800);

        // Bob shares a folder of his own: his titles show their frames too.
        var own = Path.Combine(_root, "bob-videos");
        Directory.CreateDirectory(own);
        File.Copy(Path.Combine(shared, "cat_240p.webm"), Path.Combine(own, "holiday.webm"));
        await page.GetByLabel("Folder to share").FillAsync(own);
        await page.GetByRole(AriaRole.Button, new() { Name = "Share", Exact = true }).ClickAsync();
        await Expect(page.Locator(".own-videos .own-video")).ToHaveCountAsync(1);
        await Expect(page.Locator(".own-videos img.video-thumb")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var ownWidth = await page.Locator(".own-videos img.video-thumb").EvaluateAsync<int>("i => i.decode().then(() => i.naturalWidth)").WaitAsync(PageEval.Bound);
        Assert.Equal(320, ownWidth);
        Assert.Empty(browser.Errors);
    }
}
