using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Calls from a conversation and the in-call bar on other views; the call history (and missed
/// calls) in the conversation; no stale "call ended" over a new ring; no Calls badge for your own
/// outgoing call. Calls last a few seconds.
/// </summary>
public sealed class CallsAnywhereTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-callbar-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_voice_call_from_a_conversation_shows_avatars_a_timer_and_a_bar_on_other_views_that_hangs_up()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob.Node);
        var bobId = (await bob.Node.StatusAsync()).GetProperty("deviceId").GetString()!;

        await alice.GoAsync($"chats/{bobId}");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call bob", Exact = true }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Ringing" })).ToBeVisibleAsync();
        await Expect(alice.Page.Locator("#nav a[href='#/calls'] .badge")).ToHaveCountAsync(0); // her own call is not news to her
        var ring = bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "alice is calling" });
        await ring.GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();

        // A voice call: each side is an avatar, and the timer runs.
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await Expect(page.Locator(".tile.remote.voice .avatar")).ToBeVisibleAsync();
            await Expect(page.Locator(".tile.local.voice .avatar")).ToBeVisibleAsync();
            await Expect(page.Locator("video:visible")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Timer, new() { Name = "Call time" })).ToHaveTextAsync(new Regex("^0:0[1-9]$"), new() { Timeout = 5_000 });
        }
        await Screenshots.SaveAsync(bob.Page, "voice-call");

        // Elsewhere, the bar: who, how long, mute, hang up; and back to the call from its name.
        await alice.GoAsync("peers");
        var bar = alice.Page.GetByRole(AriaRole.Region, new() { Name = "Call in progress" });
        await Expect(bar).ToContainTextAsync("bob");
        await Expect(bar.GetByRole(AriaRole.Timer)).ToHaveTextAsync(new Regex(@"^0:\d\d$"));
        await bar.GetByRole(AriaRole.Button, new() { Name = "Mute" }).ClickAsync();
        await Expect(bar.GetByRole(AriaRole.Button, new() { Name = "Unmute" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(alice.Page, "call-bar");
        await bar.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Expect(bar).ToBeHiddenAsync(new() { Timeout = 1_000 });
        await Expect(bob.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "ended" })).ToBeVisibleAsync(new() { Timeout = 2_000 });

        // The call is in both conversations, with how long it lasted.
        await alice.GoAsync($"chats/{bobId}");
        await Expect(alice.Page.Locator(".call-entry")).ToContainTextAsync(new Regex(@"Voice call, 0:\d\d"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task A_ring_nobody_answers_is_a_missed_call_and_a_new_ring_hides_the_old_call_ended()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob.Node);
        var bobId = (await bob.Node.StatusAsync()).GetProperty("deviceId").GetString()!;

        // The pre-call check: her camera's picture and a microphone that hears (Chromium's fake devices beep).
        await alice.GoAsync("calls");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Check camera and microphone" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "the microphone hears you" })).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await alice.Page.WaitForFunctionAsync("() => document.querySelector('.check-preview').videoWidth > 0");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Stop the check" }).ClickAsync();
        await Expect(alice.Page.Locator(".check-preview")).ToBeHiddenAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call bob" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "alice is calling" })).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Call with bob ended" })).ToBeVisibleAsync();

        // Bob missed it: unread in his chats, marked in the conversation, with Call back.
        await bob.GoAsync("chats");
        var item = bob.Page.Locator(".conversation-item", new() { HasText = "alice" });
        await Expect(item.Locator(".badge")).ToHaveTextAsync("1");
        await item.ClickAsync();
        var missed = bob.Page.Locator(".call-entry.missed");
        await Expect(missed).ToContainTextAsync("Missed video call");
        // Alice's own cancelled call is in her conversation, never unread.
        await alice.GoAsync($"chats/{bobId}");
        await Expect(alice.Page.Locator(".call-entry")).ToContainTextAsync("Video call: cancelled");
        await Expect(alice.Page.Locator(".conversation-item .badge")).ToHaveCountAsync(0);

        // Bob calls back; alice, on the Calls view with the old "ended" line, sees only the new ring.
        await alice.GoAsync("calls");
        var stale = alice.Page.Locator(".notice-box", new() { HasText = "ended" });
        await Expect(stale).ToBeVisibleAsync();
        await missed.GetByRole(AriaRole.Button, new() { Name = "Call back" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "bob is calling" })).ToBeVisibleAsync();
        await Expect(stale).ToHaveCountAsync(0);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "declined" })).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }
}
