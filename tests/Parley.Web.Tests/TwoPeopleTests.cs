using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Two nodes, two browser profiles, everything through the pages: invite, request, chat both ways,
/// a file by the picker, a room through a hub. Screenshots of each view go to docs/screenshots/.
/// </summary>
public sealed class TwoPeopleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-web-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Invite_Accept_ChatBothWays_SendFile_Room_AndEveryViewAt400And1280()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0");
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob");
        var bobId = (await bob.Node.StatusAsync()).GetProperty("deviceId").GetString()!;

        await FirstRunShowsWhoYouAreAsync(alice);
        await ConnectByInviteAsync(alice, bob);
        await ChatBothWaysAsync(alice, bob, bobId);
        await SendFileByPickerAsync(alice, bob);
        await RoomAsync(alice, bob, hub.Invite);
        await EveryViewFitsAsync(browser, alice, bobId);

        Assert.Empty(browser.Dialogs);
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    private static async Task FirstRunShowsWhoYouAreAsync(WebNode alice)
    {
        var page = alice.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome to Parley" })).ToBeVisibleAsync();
        var id = (await alice.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
        await Expect(page.Locator(".device-id")).ToHaveTextAsync(id);
        await Expect(page.GetByLabel("Your invite")).ToHaveValueAsync(new Regex($"^parley://{id.Replace("-", "", StringComparison.Ordinal)}\\?name=alice&addr="));
        Assert.True(await page.Locator("img.qr").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the invite QR code did not load");

        // The name is editable in place.
        await page.GetByLabel("Your name").FillAsync("Alice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".me-text strong")).ToHaveTextAsync("Alice");
        Assert.Equal("Alice", (await alice.Node.StatusAsync()).GetProperty("name").GetString());
        await Screenshots.SaveAsync(page, "first-run");
    }

    private static async Task ConnectByInviteAsync(WebNode alice, WebNode bob)
    {
        var invite = bob.Page.GetByLabel("Your invite");
        await Expect(invite).ToHaveValueAsync(new Regex("^parley://"));
        var bobInvite = await invite.InputValueAsync();

        var box = alice.Page.GetByLabel("Invite or device ID");
        await box.FillAsync(bobInvite);
        await box.PressAsync("Enter");
        await Expect(alice.Page.Locator(".toast")).ToContainTextAsync("Asked bob to connect");

        await bob.GoAsync("peers");
        var request = bob.Page.Locator(".peer-row", new() { HasText = "Alice" });
        await Expect(request).ToContainTextAsync("wants to connect");
        await Expect(bob.Page.Locator("#nav a[href='#/peers'] .badge")).ToHaveTextAsync("1");
        await Screenshots.SaveAsync(bob.Page, "request");
        await request.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        var contacts = bob.Page.Locator("section.card", new() { Has = bob.Page.GetByRole(AriaRole.Heading, new() { Name = "Contacts" }) });
        await Expect(contacts.Locator(".peer-row", new() { HasText = "Alice" })).ToContainTextAsync("online · lan");
        await alice.GoAsync("peers");
        await Expect(alice.Page.Locator(".peer-row", new() { HasText = "bob" })).ToContainTextAsync("online · lan");
        await Screenshots.SaveAsync(alice.Page, "peers");
    }

    private static async Task ChatBothWaysAsync(WebNode alice, WebNode bob, string bobId)
    {
        await alice.Page.Locator(".peer-row", new() { HasText = "bob" }).GetByRole(AriaRole.Link, new() { Name = "Chat" }).ClickAsync();
        var aliceText = alice.Page.GetByLabel("Message", new() { Exact = true });
        await aliceText.FillAsync("Hello Bob! Lunch at noon?");
        await aliceText.PressAsync("Enter");
        await Expect(alice.Page.Locator(".msg.out[data-state='delivered'] .text")).ToHaveTextAsync("Hello Bob! Lunch at noon?");

        // Bob sees the conversation with one unread, opens it, and answers.
        await bob.GoAsync("chats");
        var item = bob.Page.Locator(".conversation-item", new() { HasText = "Alice" });
        await Expect(item.Locator(".badge")).ToHaveTextAsync("1");
        await item.ClickAsync();
        await Expect(bob.Page.Locator(".msg.in .text")).ToHaveTextAsync("Hello Bob! Lunch at noon?");
        await Expect(item.Locator(".badge")).ToHaveCountAsync(0);
        var bobText = bob.Page.GetByLabel("Message", new() { Exact = true });
        await bobText.FillAsync("Yes!");
        await bobText.PressAsync("Enter");
        await Expect(alice.Page.Locator(".msg.in .text")).ToHaveTextAsync("Yes!");

        // Shift+Enter is a new line; Enter sends; Bob's open conversation gets it live.
        await aliceText.FillAsync("Bring");
        await aliceText.PressAsync("Shift+Enter");
        await aliceText.PressSequentiallyAsync("the map");
        await aliceText.PressAsync("Enter");
        await Expect(bob.Page.Locator(".msg.in .text").Last).ToHaveTextAsync("Bring\nthe map");

        // Over the 64 KiB cap: an inline error, nothing sent, the text kept for editing.
        await aliceText.FillAsync(new string('x', 70_000));
        await aliceText.PressAsync("Enter");
        await Expect(alice.Page.Locator(".composer-error")).ToContainTextAsync("the limit is 64 KiB");
        await Expect(alice.Page.Locator(".msg.out")).ToHaveCountAsync(2);
        Assert.Equal(70_000, (await aliceText.InputValueAsync()).Length);
        await aliceText.FillAsync("");
        await Expect(alice.Page.Locator(".composer-error")).ToBeHiddenAsync();

        var history = (await bob.Node.CliAsync("history", "Alice", "--json")).Json;
        Assert.Equal(3, history.GetArrayLength());
        Assert.Equal($"{alice.BaseUrl}/#/chats/{Uri.EscapeDataString(bobId)}", alice.Page.Url);
        await Screenshots.SaveAsync(alice.Page, "chat");
    }

    private async Task SendFileByPickerAsync(WebNode alice, WebNode bob)
    {
        var path = Path.Combine(_root, "holiday-photos.bin");
        var bytes = new byte[3 * 1024 * 1024 + 123];
        Random.Shared.NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);

        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() =>
            alice.Page.GetByRole(AriaRole.Button, new() { Name = "Send files" }).ClickAsync());
        await chooser.SetFilesAsync(path);

        var offer = bob.Page.Locator(".offer-card");
        await Expect(offer).ToContainTextAsync("holiday-photos.bin");
        await Expect(offer).ToContainTextAsync("3.0 MiB");
        await Expect(bob.Page.Locator("#nav a[href='#/files'] .badge")).ToHaveTextAsync("1");
        await Screenshots.SaveAsync(bob.Page, "offer");
        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        foreach (var page in new[] { alice.Page, bob.Page })
        {
            var done = page.Locator(".file-entry[data-transfer-state='completed']");
            await Expect(done).ToContainTextAsync("holiday-photos.bin");
            await Expect(done).ToContainTextAsync("verified");
        }
        var received = Path.Combine(bob.Node.Home, "downloads", "holiday-photos.bin");
        Assert.Equal(FileHash.Sha256(path), FileHash.Sha256(received));
        // The browser's copy staged for sending is gone once the transfer is done.
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(alice.Node.Home, "outbox")));
        await bob.GoAsync("files");
        await Expect(bob.Page.Locator(".transfer-card[data-state='completed']")).ToContainTextAsync("From Alice");
        await Screenshots.SaveAsync(bob.Page, "files");
    }

    private static async Task RoomAsync(WebNode alice, WebNode bob, string hubInvite)
    {
        await alice.GoAsync("settings");
        await alice.Page.GetByLabel("Hub invite").FillAsync(hubInvite);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Join hub" }).ClickAsync();
        await Expect(alice.Page.GetByText(new Regex("^Connected to hub"))).ToBeVisibleAsync();
        await Screenshots.SaveAsync(alice.Page, "settings");

        // Switches take effect now and are still set after a reload (the node remembers them).
        var discovery = alice.Page.GetByLabel("Find and be found by Parley on this local network (LAN discovery)");
        await discovery.CheckAsync();
        await Expect(alice.Page.Locator(".toast.error")).ToHaveCountAsync(0);
        var autoAccept = alice.Page.GetByLabel("Accept files from bob without asking");
        await autoAccept.CheckAsync();
        await alice.Page.ReloadAsync();
        await Expect(discovery).ToBeCheckedAsync();
        await Expect(autoAccept).ToBeCheckedAsync();
        Assert.True((await alice.Node.StatusAsync()).GetProperty("discovery").GetBoolean());
        await discovery.UncheckAsync();
        await autoAccept.UncheckAsync();
        await alice.Page.ReloadAsync();
        await Expect(discovery).Not.ToBeCheckedAsync();
        await Expect(autoAccept).Not.ToBeCheckedAsync();
        Assert.False((await alice.Node.StatusAsync()).GetProperty("discovery").GetBoolean());
        Assert.Equal(0, (await bob.Node.CliAsync("hub-join", hubInvite)).ExitCode);

        await alice.GoAsync("rooms");
        await alice.Page.GetByLabel("New room name").FillAsync("Team");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var aliceRow = alice.Page.Locator(".room-row", new() { HasText = "team" });
        await Expect(aliceRow).ToContainTextAsync("joined");

        // Rooms are invite-only: alice invites bob (from her terminal, until the page has an invite button).
        var bobId = (await bob.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
        Assert.Equal(0, (await alice.Node.CliAsync("room", "invite", "#team", bobId)).ExitCode);
        await bob.GoAsync("rooms");
        var bobRow = bob.Page.Locator(".room-row", new() { HasText = "team" });
        await bobRow.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Expect(bobRow.Locator(".members li")).ToHaveCountAsync(2);
        await Expect(bobRow.Locator(".members li", new() { HasText = "Alice" })).ToContainTextAsync("online");
        await Expect(aliceRow.Locator(".members li", new() { HasText = "bob" })).ToContainTextAsync("online");
        await Screenshots.SaveAsync(alice.Page, "rooms");

        await aliceRow.GetByRole(AriaRole.Link, new() { Name = "Open" }).ClickAsync();
        await Expect(alice.Page.Locator(".notice", new() { HasText = "bob joined #team" })).ToBeVisibleAsync();
        await bobRow.GetByRole(AriaRole.Link, new() { Name = "Open" }).ClickAsync();
        var bobText = bob.Page.GetByLabel("Message", new() { Exact = true });
        await bobText.FillAsync("Hello team");
        await bobText.PressAsync("Enter");
        var fromBob = alice.Page.Locator(".msg.in", new() { HasText = "Hello team" });
        await Expect(fromBob.Locator(".sender")).ToHaveTextAsync("bob");
        var aliceText = alice.Page.GetByLabel("Message", new() { Exact = true });
        await aliceText.FillAsync("Welcome, Bob");
        await aliceText.PressAsync("Enter");
        await Expect(bob.Page.Locator(".msg.in .text")).ToHaveTextAsync("Welcome, Bob");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Members" }).ClickAsync();
        await Expect(alice.Page.Locator(".conversation .members li")).ToHaveCountAsync(2);
        await Screenshots.SaveAsync(alice.Page, "room-chat");
    }

    /// <summary>Every view at a phone's 400 px and a desktop's 1280 px: nothing wider than the window, the nav reachable.</summary>
    private static async Task EveryViewFitsAsync(Browser browser, WebNode alice, string bobId)
    {
        string[] views = ["home", "chats", $"chats/{Uri.EscapeDataString(bobId)}", "chats/%23team", "peers", "rooms", "files", "settings"];
        foreach (var (width, scheme) in new[] { (400, ColorScheme.Light), (1280, ColorScheme.Dark) })
        {
            var page = await browser.NewPageAsync(width, width == 400 ? 820 : 800, scheme);
            await page.GotoAsync(await WebNode.LoginUrlAsync(alice.Node));
            foreach (var view in views)
            {
                await page.GotoAsync($"{alice.BaseUrl}/#/{view}");
                await Expect(page.Locator("main#main > *:visible").First).ToBeVisibleAsync();
                await page.WaitForTimeoutAsync(200);
                var overflow = await page.EvalAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"#/{view} at {width} px is {overflow} px wider than the window");
                await Expect(page.Locator("#nav a[href='#/chats']")).ToBeVisibleAsync();
            }
            if (width == 400)
            {
                await page.GotoAsync($"{alice.BaseUrl}/#/chats/{Uri.EscapeDataString(bobId)}");
                await Expect(page.Locator(".msg").First).ToBeVisibleAsync();
                await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Back to conversations" })).ToBeVisibleAsync();
                await Screenshots.SaveAsync(page, "chat-400px");
                await page.GotoAsync($"{alice.BaseUrl}/#/home");
                await Screenshots.SaveAsync(page, "invite-400px");
            }
            else
            {
                await page.GotoAsync($"{alice.BaseUrl}/#/chats/{Uri.EscapeDataString(bobId)}");
                await Expect(page.Locator(".msg").First).ToBeVisibleAsync();
                await Screenshots.SaveAsync(page, "chat-dark");
            }
            await page.Context.CloseAsync();
        }
    }
}
