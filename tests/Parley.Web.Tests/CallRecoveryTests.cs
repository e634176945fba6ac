using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Calls that never get stuck (issue 19): the other side's video keeps playing after the Calls
/// view was left and shown again mid-call, and a ring the other node refuses at once (before the
/// caller's own request has returned) still ends on the caller's page.
/// </summary>
public sealed class CallRecoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webcallrec-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Video_LeavingTheCallsViewAndComingBack_KeepsPlaying()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob.Node);
        await alice.GoAsync("calls");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call bob" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "alice is calling" }).GetByRole(AriaRole.Button, new() { Name = "Accept video" }).ClickAsync();
        await alice.Page.WaitForFunctionAsync("() => Number(document.querySelector('.tile.remote')?.dataset.frames ?? 0) > 10", null, new() { Timeout = 20_000 });

        // Away and back without reloading (a reload would hang up): the same <video> elements are put back.
        await alice.Page.EvalAsync("() => { location.hash = '#/chats'; }");
        await Expect(alice.Page.Locator(".tile")).ToHaveCountAsync(0);
        await Task.Delay(300);
        await alice.Page.EvalAsync("() => { location.hash = '#/calls'; }");
        await Expect(alice.Page.Locator(".tile.remote")).ToBeVisibleAsync();

        // The pictures move: the remote and the preview play, and the remote's clock advances.
        await alice.Page.WaitForFunctionAsync("() => [...document.querySelectorAll('.tile.remote video, .tile.local video')].every(v => !v.paused)", null, new() { Timeout = 3_000 });
        var before = await alice.Page.EvalAsync<double>("() => document.querySelector('.tile.remote video').currentTime");
        await alice.Page.WaitForFunctionAsync($"() => document.querySelector('.tile.remote video').currentTime > {before} + 0.5", null, new() { Timeout = 5_000 });
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Call_RefusedBeforeThePlaceRequestReturns_ShowsTheRefusalAndReturnsToIdle()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob.Node);
        await alice.GoAsync("calls");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call bob", Exact = true }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "alice is calling" }).GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "declined" })).ToBeVisibleAsync();

        // Calling again at once: bob's node refuses it ("ringing too often") while alice's request is
        // still on its way back (held here, so the order is the one that got stuck).
        await alice.Page.RouteAsync("**/api/calls", async route =>
        {
            var response = await route.FetchAsync();
            await Task.Delay(700);
            await route.FulfillAsync(new() { Response = response });
        });
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call bob", Exact = true }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "ringing too often" })).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call bob", Exact = true })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToHaveCountAsync(0);
        Assert.Empty(browser.Errors);
    }
}
