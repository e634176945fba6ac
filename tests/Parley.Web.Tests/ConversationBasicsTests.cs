using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Issue 19, item 10, through two pages: the empty state, dividers, links, edit, reply, reaction and
/// delete for everyone seen on the other side, search that jumps back to an old message, and the
/// reader's place kept through a resize.
/// </summary>
public sealed class ConversationBasicsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webtalk-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task EditReplyReactDelete_SeenOnTheOtherSide_SearchJumpsBack_LinksAreSafe()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await WebNode.StartAsync(browser, Path.Combine(_root, "bob"), "bob");
        Assert.Equal(0, (await bob.Node.CliAsync("add", (await alice.Node.CliAsync("invite")).Out.Trim())).ExitCode);
        var bobId = (await bob.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
        var aliceId = (await alice.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
        await alice.Node.WaitForRequestAsync(bobId);
        Assert.Equal(0, (await alice.Node.CliAsync("accept", bobId)).ExitCode);
        var a = alice.Page;
        var b = bob.Page;

        // A new conversation says so.
        await alice.GoAsync($"chats/{bobId}");
        await Expect(a.Locator(".empty-chat")).ToContainTextAsync("No messages with");

        // An old message, then 60 more from bob while alice looks elsewhere: more than a page, so search must load back to it.
        await alice.GoAsync("peers");
        using var http = new HttpClient { BaseAddress = new Uri((await bob.Node.StatusAsync()).GetProperty("apiUrl").GetString()!) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(bob.Node.Home, "api-key")).Trim());
        (await http.PostAsJsonAsync($"/api/chat/{aliceId}", new { text = "the old lighthouse keeper 7f3a" })).EnsureSuccessStatusCode();
        for (var i = 1; i <= 60; i++)
        {
            (await http.PostAsJsonAsync($"/api/chat/{aliceId}", new { text = $"filler {i}" })).EnsureSuccessStatusCode();
        }
        // At alice's node first (bob sent them as their new link opened: none may wait for the next link), then in the page.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await alice.Node.CliAsync("history", bobId, "--limit", "100", "--json")).Out.Contains("\"filler 60\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "alice's node never got bob's 61st message");
            await Task.Delay(200);
        }
        await alice.GoAsync($"chats/{bobId}");
        await Expect(a.Locator(".msg.in .text").Last).ToHaveTextAsync("filler 60");
        await Expect(a.Locator(".unread-marker")).ToHaveCountAsync(0); // the first unread is further back than the page shown
        await Expect(a.Locator(".conversation-item .badge")).ToHaveCountAsync(0); // read
        await alice.GoAsync("peers");
        (await http.PostAsJsonAsync($"/api/chat/{aliceId}", new { text = "are you there?" })).EnsureSuccessStatusCode();
        await alice.GoAsync($"chats/{bobId}");
        await Expect(a.Locator(".unread-marker + .msg.in .text")).ToHaveTextAsync("are you there?");
        await Expect(a.Locator(".empty-chat")).ToHaveCountAsync(0);
        await Expect(a.Locator(".day-divider").First).ToHaveTextAsync("Today");

        // Bob opens his side; alice writes a link and a script address: only the http(s) one is a link.
        await bob.GoAsync($"chats/{aliceId}");
        var aliceText = a.GetByLabel("Message", new() { Exact = true });
        await aliceText.FillAsync("see https://example.org/a?b=1. not javascript:alert(1)");
        await aliceText.PressAsync("Enter");
        var linked = b.Locator(".msg.in").Last;
        await Expect(linked.Locator(".text")).ToHaveTextAsync("see https://example.org/a?b=1. not javascript:alert(1)");
        var anchor = linked.Locator("a");
        await Expect(anchor).ToHaveCountAsync(1);
        await Expect(anchor).ToHaveAttributeAsync("href", "https://example.org/a?b=1");
        await Expect(anchor).ToHaveAttributeAsync("rel", "noopener noreferrer");
        await Expect(anchor).ToHaveAttributeAsync("target", "_blank");

        // Alice edits it; bob sees the new text marked "edited".
        var mine = a.Locator(".msg.out").Last;
        await mine.HoverAsync();
        await mine.GetByRole(AriaRole.Button, new() { Name = "Edit", Exact = true }).ClickAsync();
        await Expect(aliceText).ToHaveValueAsync("see https://example.org/a?b=1. not javascript:alert(1)");
        await aliceText.FillAsync("see https://example.org/c");
        await aliceText.PressAsync("Enter");
        await Expect(linked.Locator(".text")).ToHaveTextAsync("see https://example.org/c");
        await Expect(linked.Locator(".edited")).ToHaveTextAsync("edited");

        // Bob replies to it; alice's page shows the quote above his reply.
        await linked.HoverAsync();
        await linked.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        var bobText = b.GetByLabel("Message", new() { Exact = true });
        await bobText.FillAsync("got it");
        await bobText.PressAsync("Enter");
        var reply = a.Locator(".msg.in").Last;
        await Expect(reply.Locator(".text")).ToHaveTextAsync("got it");
        await Expect(reply.Locator(".quote")).ToContainTextAsync("see https://example.org/c");

        // Alice reacts; bob sees the count.
        await reply.HoverAsync();
        await reply.GetByRole(AriaRole.Button, new() { Name = "React 👍" }).ClickAsync();
        await Expect(b.Locator(".msg.out").Last.Locator(".reaction")).ToHaveTextAsync("👍 1");

        // Alice deletes her message for everyone; bob sees the placeholder, and the quote follows.
        await mine.HoverAsync();
        await mine.GetByRole(AriaRole.Button, new() { Name = "Delete for everyone" }).ClickAsync();
        await a.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(linked.Locator(".text")).ToHaveTextAsync("message deleted");
        await Expect(linked.Locator("a")).ToHaveCountAsync(0);

        // The reader's place survives a resize: at the bottom, still at the bottom.
        await a.SetViewportSizeAsync(900, 420);
        await Expect(a.Locator(".msg.in").Last).ToBeInViewportAsync();

        // Search finds the old message and the conversation loads back to it.
        await a.GetByLabel("Search messages").FillAsync("lighthouse kee");
        await a.Locator(".search-hit", new() { HasText = "lighthouse" }).ClickAsync();
        var found = a.Locator(".msg.in", new() { HasText = "the old lighthouse keeper 7f3a" });
        await Expect(found).ToBeInViewportAsync();
        await Expect(found).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("found"));

        Assert.Empty(browser.Dialogs);
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }
}
