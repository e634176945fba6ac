using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>Issue 19 item 13: the hub by name with Leave, Invite's own icon, room members before joining, one video access control, stale error toasts cleared, MiB.</summary>
public sealed class SmallThingsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-websmall-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Hub_ByNameWithLeave_RoomMembersBeforeJoining()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0");
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice", 1280, "--hub", hub.Invite);
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob", "--hub", hub.Invite);
        // Bob's hub link comes up after his ready line: retry the create until it is.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await bob.CliAsync("room", "create", "lobby", "--public")).ExitCode != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "bob could not create #lobby within 30 s");
            await Task.Delay(200);
        }
        Assert.Equal(0, (await bob.CliAsync("room", "topic", "lobby", "Say hello")).ExitCode);

        // Before joining: the topic, and the members on request.
        await alice.GoAsync("rooms");
        var row = alice.Page.Locator(".room-row", new() { HasText = "lobby" });
        await Expect(row).ToContainTextAsync("Say hello", new() { Timeout = 20_000 });
        await Expect(row.Locator(".members")).ToBeHiddenAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Members" }).ClickAsync();
        await Expect(row.Locator(".members li", new() { HasText = "bob" })).ToBeVisibleAsync();

        // The hub by name (its invite names none, so its address), and Leave.
        var address = hub.Invite[(hub.Invite.IndexOf("addr=", StringComparison.Ordinal) + 5)..].Split('&')[0];
        await alice.GoAsync("settings");
        await Expect(alice.Page.Locator(".hub-name")).ToHaveTextAsync(address);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Leave hub" }).ClickAsync();
        await alice.Page.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        await Expect(alice.Page.Locator(".hub-state")).ToContainTextAsync("No hub");
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Leave hub" })).ToBeHiddenAsync();
        Assert.True(await alice.Page.EvalAsync<bool>("() => fetch('/api/hub').then(r => r.json()).then(s => s.hub === null && !s.connected)"));
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    [Fact]
    public async Task InviteIcon_VideoAccessIsOneControl_ErrorToastGoesWithTheView_SizesInMiB()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob);
        var page = alice.Page;

        // Invite has its own icon, not the house.
        await Expect(page.Locator("#nav a[href='#/home'] svg[data-icon='invite']")).ToHaveCountAsync(1);

        // Videos: one "who may watch" control; the per-contact ticks only when it says so.
        await alice.GoAsync("videos");
        var who = page.GetByLabel("Who may watch");
        await Expect(who).ToHaveValueAsync("all");
        await Expect(page.Locator("input[type=checkbox][role=switch]")).ToHaveCountAsync(0);
        await Expect(page.Locator(".toggle", new() { HasText = "bob may watch" })).ToBeHiddenAsync();
        await who.SelectOptionAsync("chosen");
        var bobTick = page.Locator(".toggle", new() { HasText = "bob may watch" }).Locator("input");
        await Expect(bobTick).ToBeVisibleAsync();
        await Expect(bobTick).Not.ToBeCheckedAsync();
        var access = await page.EvalAsync<bool>("() => fetch('/api/videos').then(r => r.json()).then(s => s.everyone)");
        Assert.False(access);
        await bobTick.CheckAsync();
        await who.SelectOptionAsync("all");
        await Expect(page.Locator(".toggle", new() { HasText = "bob may watch" })).ToBeHiddenAsync();

        // An error toast belongs to the view it came from.
        await alice.GoAsync("peers");
        await page.GetByLabel("Invite or device ID").FillAsync("not an invite");
        await page.Locator("form.inline-form").GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        await Expect(page.Locator(".toast.error")).ToBeVisibleAsync();
        await page.Locator("#nav a[href='#/chats']").ClickAsync();
        await Expect(page.Locator(".toast.error")).ToHaveCountAsync(0);

        // Sizes in binary units, as written (not upper-cased by a style).
        var shown = await page.EvalAsync<string>("() => import('/js/format.js').then(f => f.bytes(5 * 1024 * 1024))");
        Assert.Equal("5.0 MiB", shown);
    }
}
