using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// What a room's owner does, all in the page: alice creates an invite-only room and sets its topic,
/// invites bob with the picker (he is told, and joins from Rooms), makes a join link that carol pastes
/// into "Join with a link", makes the room public, and removes carol. Bob, not an owner, sees none of
/// the owner's controls.
/// </summary>
public sealed class RoomOwnerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-web-owner-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Owner_Topic_InviteByPicker_JoinLink_Public_Remove()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0");
        string[] onHub = ["--hub", hub.Invite];
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice", 1280, onHub);
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob", 1280, onHub);
        await using var carol = await WebNode.StartAsync(browser, Path.Combine(_root, "carol"), "carol", 1280, onHub);
        var bobId = (await bob.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
        await InDirectoryAsync(alice.Node, "bob");
        await InDirectoryAsync(alice.Node, "carol");

        // Alice creates #team (invite-only) and gives it a topic.
        await alice.GoAsync("rooms");
        await alice.Page.GetByLabel("New room name").FillAsync("team");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(alice.Page.Locator(".room-row", new() { HasText = "team" })).ToContainTextAsync("invite-only");
        await alice.GoAsync("chats/%23team");
        var page = alice.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit topic" }).ClickAsync();
        await page.GetByLabel("Topic", new() { Exact = true }).FillAsync("Friday plans");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".conversation-header .topic-text")).ToHaveTextAsync("Friday plans");
        await Expect(page.Locator(".conversation-header .access")).ToHaveTextAsync("invite-only");

        // Bob cannot join on his own; he sees the topic and that it is invite-only.
        await bob.GoAsync("rooms");
        var bobRow = bob.Page.Locator(".room-row", new() { HasText = "team" });
        await Expect(bobRow).ToContainTextAsync("invite-only");
        await Expect(bobRow).ToContainTextAsync("Friday plans");
        await bobRow.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Expect(bob.Page.Locator(".toast.error")).ToContainTextAsync("invite-only");

        // Alice invites him with the picker; he is told, and now Join works.
        await page.GetByRole(AriaRole.Button, new() { Name = "Members" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await page.GetByLabel("Person to invite").SelectOptionAsync(bobId);
        await Screenshots.SaveAsync(page, "room-invite");
        await page.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await Expect(page.Locator("dialog")).ToHaveCountAsync(0);
        await Expect(bob.Page.Locator(".toast", new() { HasText = "alice invited you to #team" })).ToBeVisibleAsync();
        await bobRow.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Expect(bobRow).ToContainTextAsync("joined");
        var members = page.Locator(".room-panel .members li");
        await Expect(members).ToHaveCountAsync(2);
        await Expect(members.Filter(new() { HasText = "alice" })).ToContainTextAsync("owner");

        // A join link: alice copies it, carol pastes it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy join link" }).ClickAsync();
        var link = await page.GetByLabel("Join link", new() { Exact = true }).InputValueAsync();
        Assert.StartsWith("parley-room:", link, StringComparison.Ordinal);
        await page.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await carol.GoAsync("rooms");
        await carol.Page.GetByLabel("Join link", new() { Exact = true }).FillAsync(link);
        await carol.Page.Locator(".join-link-form").GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Expect(carol.Page).ToHaveURLAsync(new Regex("#/chats/%23team$"));
        await Expect(members).ToHaveCountAsync(3);
        await Expect(carol.Page.Locator(".conversation-header .topic-text")).ToHaveTextAsync("Friday plans");

        // Public: everyone sees it as such.
        await page.GetByRole(AriaRole.Switch, new() { Name = "Public: anyone on the hub may join" }).CheckAsync();
        await Expect(page.Locator(".conversation-header .access")).ToHaveTextAsync("public");
        await Expect(carol.Page.Locator(".conversation-header .access")).ToHaveTextAsync("public");
        // Each change is its own line in the timeline, in the order made (a later notice never takes an earlier one's place).
        var notices = page.Locator(".notice");
        await Expect(notices.Filter(new() { HasText = "you set the topic to \"Friday plans\"" })).ToHaveCountAsync(1);
        await Expect(notices.Last).ToContainTextAsync("you made the room public");
        await Screenshots.SaveAsync(page, "room-owner");

        // Bob is a member, not an owner: no owner's controls for him.
        await bob.GoAsync("chats/%23team");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Members" }).ClickAsync();
        await Expect(bob.Page.Locator(".room-panel .members li")).ToHaveCountAsync(3);
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Invite" })).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Edit topic" })).ToHaveCountAsync(0);
        await Expect(bob.Page.Locator(".room-panel button", new() { HasText = "Remove" })).ToHaveCountAsync(0);

        // Alice removes carol: the others see it, carol is out.
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove carol" }).ClickAsync();
        await page.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(members).ToHaveCountAsync(2);
        await Expect(page.Locator(".notice", new() { HasText = "carol was removed from #team" })).ToBeVisibleAsync();
        await Expect(bob.Page.Locator(".notice", new() { HasText = "carol was removed from #team" })).ToBeVisibleAsync();
        await Expect(carol.Page.Locator(".conversation-header")).ToContainTextAsync("you are not in this room");

        await alice.GoAsync("rooms");
        await Expect(alice.Page.Locator(".room-row", new() { HasText = "team" })).ToContainTextAsync("public");
        await Screenshots.SaveAsync(alice.Page, "rooms-owner");
        await FitsAt400Async(browser, alice);

        Assert.Empty(browser.Dialogs);
        // Bob's refused join is the one error meant to happen (Chromium logs the 400 it got).
        var errors = browser.Errors.Where(e => !e.Contains("400 (Bad Request) (http://127.0.0.1:", StringComparison.Ordinal)
            || !e.Contains("/api/rooms/%23team/join", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>The owner's panel and the rooms list on a phone: nothing wider than the window.</summary>
    private static async Task FitsAt400Async(Browser browser, WebNode alice)
    {
        var phone = await browser.NewPageAsync(400, 820);
        await phone.GotoAsync(await WebNode.LoginUrlAsync(alice.Node));
        await phone.GotoAsync($"{alice.BaseUrl}/#/chats/%23team");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Members" }).ClickAsync();
        await Expect(phone.GetByRole(AriaRole.Button, new() { Name = "Copy join link" })).ToBeVisibleAsync();
        foreach (var view in new[] { "chats/%23team", "rooms" })
        {
            if (view == "rooms")
            {
                await phone.GotoAsync($"{alice.BaseUrl}/#/rooms");
                await Expect(phone.Locator(".room-row").First).ToBeVisibleAsync();
            }
            var overflow = await phone.EvalAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"#/{view} at 400 px is {overflow} px wider than the window");
        }
        await Screenshots.SaveAsync(phone, "rooms-400px");
        await phone.Context.CloseAsync();
    }

    /// <summary>Waits until alice's node finds <paramref name="name"/> in the hub's directory (invites by name need it).</summary>
    private static async Task InDirectoryAsync(NodeProcess node, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await node.CliAsync("whois", name)).Out.Contains("signature valid", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} did not show in the hub's directory within 30 s");
            await Task.Delay(200);
        }
    }
}
