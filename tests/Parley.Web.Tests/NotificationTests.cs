using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Notifications (issue 19): with permission asked from a click (and granted in the browser
/// context), a hidden page shows a desktop notification for a message, a contact request, a file
/// offer and a call; a page on screen shows none. The unread count is in the tab's title, a
/// message chimes and a call rings, and each sound can be turned off.
/// </summary>
public sealed class NotificationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webnotify-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // Records each Notification the page makes and each tone it plays, and lets the test say
    // whether the tab is hidden (a headless tab is always "visible").
    private const string Recorder = """
        window.__notes = [];
        window.__tones = 0;
        window.__hidden = false;
        const Real = window.Notification;
        class Recorded extends Real {
          constructor(title, options) { super(title, options); window.__notes.push({ title, body: options?.body ?? '' }); }
          static get permission() { return Real.permission; }
          static requestPermission() { return Real.requestPermission(); }
        }
        window.Notification = Recorded;
        Object.defineProperty(document, 'hidden', { get: () => window.__hidden });
        Object.defineProperty(document, 'visibilityState', { get: () => (window.__hidden ? 'hidden' : 'visible') });
        const create = AudioContext.prototype.createOscillator;
        AudioContext.prototype.createOscillator = function () { window.__tones++; return create.call(this); };
        """;

    [Fact]
    public async Task HiddenPage_GetsNotifications_ForMessagesRequestsOffersAndCalls()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob);
        var page = alice.Page;
        await page.AddInitScriptAsync(Recorder);
        await page.ReloadAsync();

        // Asked for from a click in Settings (the person says yes: the context grants it).
        await alice.GoAsync("settings");
        var ask = page.GetByRole(AriaRole.Button, new() { Name = "Turn on desktop notifications" });
        await Expect(ask).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "notification-prompt");
        await page.Context.GrantPermissionsAsync(["notifications"]);
        await ask.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Desktop notifications are on" })).ToBeVisibleAsync();
        await Expect(ask).ToBeHiddenAsync();
        await Screenshots.SaveAsync(page, "notifications");

        // On screen: the count in the title and a chime, no notification.
        await page.EvalAsync("() => { location.hash = '#/chats'; }");
        Assert.Equal(0, (await bob.CliAsync("chat", "alice", "seen on screen")).ExitCode);
        await Expect(page).ToHaveTitleAsync("(1) Parley");
        await page.WaitForFunctionAsync("() => window.__tones > 0");

        // Hidden: a notification for each kind of news.
        await page.EvalAsync("() => { window.__hidden = true; document.dispatchEvent(new Event('visibilitychange')); }");
        Assert.Equal(0, (await bob.CliAsync("chat", "alice", "are you there?")).ExitCode);
        await WaitForNoteAsync(page, "bob", "are you there?");
        await Expect(page).ToHaveTitleAsync("(2) Parley");

        var file = Path.Combine(_root, "plan.txt");
        await File.WriteAllTextAsync(file, "the plan");
        Assert.Equal(0, (await bob.CliAsync("send", file, "--to", "alice", "--no-wait")).ExitCode);
        await WaitForNoteAsync(page, "bob offers a file", "");

        await using var carol = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "carol"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "carol");
        Assert.Equal(0, (await carol.CliAsync("add", (await alice.Node.CliAsync("invite")).Out.Trim())).ExitCode);
        await WaitForNoteAsync(page, "carol wants to connect", "");

        var tones = await page.EvalAsync<int>("() => window.__tones");
        var call = bob.CliAsync("call", "alice");
        await WaitForNoteAsync(page, "bob is calling", "Voice call");
        await page.WaitForFunctionAsync($"() => window.__tones > {tones}"); // the ringtone
        await page.GetByRole(AriaRole.Alertdialog, new() { Name = "bob is calling" }).GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await call.WaitAsync(TimeSpan.FromSeconds(30));

        // Sound for messages off: the next message is silent (and still notified).
        await page.EvalAsync("() => { window.__hidden = false; location.hash = '#/settings'; }");
        await page.GetByRole(AriaRole.Switch, new() { Name = "Sound for new messages" }).UncheckAsync();
        await page.EvalAsync("() => { window.__hidden = true; location.hash = '#/chats'; }");
        tones = await page.EvalAsync<int>("() => window.__tones");
        Assert.Equal(0, (await bob.CliAsync("chat", "alice", "quietly")).ExitCode);
        await WaitForNoteAsync(page, "bob", "quietly");
        await Task.Delay(300);
        Assert.Equal(tones, await page.EvalAsync<int>("() => window.__tones"));
        Assert.Equal(5, await page.EvalAsync<int>("() => window.__notes.length"));
        Assert.Empty(browser.Errors);
    }

    private static Task WaitForNoteAsync(IPage page, string title, string body) =>
        page.WaitForFunctionAsync("([title, body]) => window.__notes.some(n => n.title === title && n.body.startsWith(body))", new[] { title, body });
}
