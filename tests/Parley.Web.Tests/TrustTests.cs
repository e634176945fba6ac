using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>Contacts and trust: the request card shows the safety number and Accept; "Mark as verified" gives a stored badge.</summary>
public sealed class TrustTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webtrust-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Request_ShowsSafetyNumberAndAccept_MarkAsVerified_BadgeInPeersAndChatHeader_AfterReload()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        var invite = (await alice.Node.CliAsync("invite")).Out.Trim();
        Assert.Equal(0, (await bob.CliAsync("add", invite)).ExitCode);
        var safetyNumber = (await bob.CliAsync("safety", "alice", "--json")).Json.GetProperty("safetyNumber").GetString()!;
        Assert.Matches(@"^\d{5}( \d{5}){5}$", safetyNumber);

        // The request card: the same safety number bob sees, a clear Accept, and Mark as verified.
        await alice.GoAsync("peers");
        var request = alice.Page.Locator(".peer-row", new() { HasText = "wants to connect" });
        await Expect(request.Locator(".safety-inline")).ToHaveTextAsync(safetyNumber);
        await Expect(request.GetByRole(AriaRole.Button, new() { Name = "Accept" })).ToBeEnabledAsync();
        await Expect(request.Locator(".verified-badge")).ToHaveCountAsync(0);
        await request.GetByRole(AriaRole.Button, new() { Name = "Mark as verified" }).ClickAsync();
        await Expect(request.Locator(".verified-badge")).ToBeVisibleAsync();
        await request.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        // The contact keeps the badge (stored on the node: a reload asks it again), in the list and the chat header.
        await alice.Page.ReloadAsync();
        var contact = alice.Page.Locator(".peer-row", new() { HasText = "bob" });
        await Expect(contact.GetByRole(AriaRole.Link, new() { Name = "Chat" })).ToBeVisibleAsync();
        await Expect(contact.Locator(".verified-badge")).ToHaveTextAsync("✓ verified");
        await contact.GetByRole(AriaRole.Link, new() { Name = "Chat" }).ClickAsync();
        await Expect(alice.Page.Locator(".conversation-header .verified-badge")).ToBeVisibleAsync();
        await Expect(alice.Page.Locator(".conversation-header h2")).ToHaveTextAsync("bob");
        Assert.Empty(browser.Errors);
    }
}
