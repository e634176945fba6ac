using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Alice video-calls bob, each in their own page with Chromium's fake camera and microphone: both
/// decode the other's video and hear the other's audio; mute silences, camera off stops frames,
/// hanging up ends media on both sides.
/// </summary>
public sealed class CallTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webcall-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// Pages on two cores agree on H.264 (Chromium's VP8 encoder stalls there under load); with more, on VP8. Both are run whatever
    /// this machine has, on Parley's own WebCodecs engine (the default) and on Chromium's WebRTC engine (when both pages choose it).
    /// </summary>
    [Theory]
    [InlineData(2, "H264", "webcodecs")]
    [InlineData(8, "VP8", "webcodecs")]
    [InlineData(2, "H264", "webrtc")]
    public async Task A_video_call_both_ways_with_mute_camera_off_and_hang_up(int cores, string codec, string engine)
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob.Node);
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await page.AddInitScriptAsync($"Object.defineProperty(navigator, 'hardwareConcurrency', {{ get: () => {cores} }})");
            await page.EvalAsync("engine => engine === 'webrtc' ? localStorage.setItem('parley-call-engine', engine) : localStorage.removeItem('parley-call-engine')", engine);
            await page.ReloadAsync();
        }

        await alice.GoAsync("calls");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call bob" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Ringing" })).ToBeVisibleAsync();
        var ring = bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "alice is calling" });
        await Expect(ring).ToBeVisibleAsync();
        await Expect(ring).ToContainTextAsync("video calling you");
        await ring.GetByRole(AriaRole.Button, new() { Name = "Accept video" }).ClickAsync();

        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await WaitForFramesAsync(page, 15);
            Assert.True(await RemoteIsBrightAsync(page), "the remote video is black");
            await page.WaitForFunctionAsync("() => Number(document.querySelector('.tile.remote').dataset.level) > 0.005", null, new() { Timeout = 10_000 });
        }
        await alice.Page.GetByText("Details: devices, speaker, quality, media counters").ClickAsync(); // the counters are behind Details
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^{codec} ·") })).ToBeVisibleAsync();
        Assert.Equal(engine, await alice.Page.EvalAsync<string>("() => fetch('/api/calls').then(r => r.json()).then(calls => calls[0].engine)"));
        if (cores == 2 && engine == "webcodecs")
        {
            await Screenshots.SaveAsync(bob.Page, "call-1280");
        }
        // Spotlight: the other side's camera large, the rest beside it; pressed again, back to the grid.
        var spotlight = alice.Page.GetByRole(AriaRole.Button, new() { Name = "Spotlight their camera" });
        await spotlight.ClickAsync();
        await Expect(alice.Page.Locator(".tiles[data-spotlight='remote']")).ToHaveCountAsync(1);
        await spotlight.ClickAsync();
        await Expect(alice.Page.Locator(".tiles[data-spotlight]")).ToHaveCountAsync(0);

        // Mute: bob hears nothing from alice.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Mute" }).ClickAsync();
        await bob.Page.WaitForFunctionAsync("() => document.querySelector('.tile.remote').dataset.level === '0.0000'", null, new() { Timeout = 3_000 });
        await Task.Delay(600);
        Assert.Equal("0.0000", await bob.Page.Locator(".tile.remote").GetAttributeAsync("data-level"));

        // Camera off: alice's picture of bob stops changing.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Camera off" }).ClickAsync();
        await Task.Delay(500);
        var frozen = await FramesAsync(alice.Page);
        await Task.Delay(1000);
        Assert.Equal(frozen, await FramesAsync(alice.Page));
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Camera on" }).ClickAsync();
        await WaitForFramesAsync(alice.Page, frozen + 10);

        // Hang up: both sides end within a second, with the reason.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "ended" })).ToBeVisibleAsync(new() { Timeout = 1_000 });
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "ended" })).ToBeVisibleAsync(new() { Timeout = 1_000 });
        await Expect(bob.Page.Locator(".tile")).ToHaveCountAsync(0);
        Assert.Empty(browser.Dialogs);
        Assert.Empty(browser.Errors);
    }

    private static Task<int> FramesAsync(IPage page) => page.EvalAsync<int>("() => Number(document.querySelector('.tile.remote')?.dataset.frames ?? 0)");

    private static Task WaitForFramesAsync(IPage page, int frames) =>
        page.WaitForFunctionAsync($"() => Number(document.querySelector('.tile.remote')?.dataset.frames ?? 0) >= {frames}", null, new() { Timeout = 15_000 });

    private static Task<bool> RemoteIsBrightAsync(IPage page) => page.EvalAsync<bool>("""
        () => {
          const video = document.querySelector('.tile.remote video');
          const canvas = Object.assign(document.createElement('canvas'), { width: video.videoWidth, height: video.videoHeight });
          const context = canvas.getContext('2d');
          context.drawImage(video, 0, 0);
          const px = context.getImageData(0, 0, canvas.width, canvas.height).data;
          let sum = 0;
          for (let i = 0; i < px.length; i += 4 * 97) sum += px[i] + px[i + 1] + px[i + 2];
          return sum / (px.length / (4 * 97)) > 30;
        }
        """);
}
