using System.Diagnostics;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Alice shares her real screen (headed Chromium on an Xvfb display of 1920x1080) in a call with
/// bob (headless); bob's page decodes screen frames of at least 1280x720; stopping the share stops them.
/// </summary>
public sealed class ScreenShareTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webshare-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_shared_screen_arrives_at_full_size_and_stops_with_stop_share()
    {
        using var screen = await XvfbScreen.StartAsync(":97");
        try
        {
            await using var sharerBrowser = await Browser.LaunchAsync(display: screen.Display);
            await using var viewerBrowser = await Browser.LaunchAsync();
            await using var alice = await WebNode.StartAsync(sharerBrowser, Path.Combine(_root, "alice"), "alice");
            await using var bob = await WebNode.StartAsync(viewerBrowser, Path.Combine(_root, "bob"), "bob");
            await NodeProcess.BefriendAsync(alice.Node, bob.Node);

            await alice.GoAsync("calls");
            await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call bob" }).ClickAsync();
            await bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "alice is calling" }).GetByRole(AriaRole.Button, new() { Name = "Accept video" }).ClickAsync();
            await bob.Page.WaitForFunctionAsync("() => Number(document.querySelector('.tile.remote')?.dataset.frames ?? 0) > 5");

            await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Share screen" }).ClickAsync();
            await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" })).ToBeVisibleAsync();
            await bob.Page.WaitForFunctionAsync("() => Number(document.querySelector('.tile.screen')?.dataset.frames ?? 0) > 5", null, new() { Timeout = 20_000 });
            await bob.Page.WaitForFunctionAsync("() => document.querySelector('.tile.screen video').videoWidth > 0", null, new() { Timeout = 5_000 });
            var size = await bob.Page.EvalAsync<int[]>("() => { const v = document.querySelector('.tile.screen video'); return [v.videoWidth, v.videoHeight]; }");
            Assert.True(size[0] >= 1280 && size[1] >= 720, $"screen frames of {size[0]}x{size[1]}");
            await Expect(bob.Page.Locator(".tile.screen")).ToBeVisibleAsync();

            await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" }).ClickAsync();
            await Expect(bob.Page.Locator(".tile.screen")).ToBeHiddenAsync(new() { Timeout = 3_000 });
            var frames = await bob.Page.EvalAsync<int>("() => Number(document.querySelector('.tile.screen').dataset.frames)");
            await Task.Delay(1000);
            Assert.Equal(frames, await bob.Page.EvalAsync<int>("() => Number(document.querySelector('.tile.screen').dataset.frames)"));
            await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException && screen.LastLines.Length > 0)
        {
            throw new InvalidOperationException($"{e.Message}\nXvfb said last:\n{screen.LastLines}", e);
        }
    }
}
