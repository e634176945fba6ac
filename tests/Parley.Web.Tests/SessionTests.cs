using System.Globalization;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>Staying signed in: a session outlives a node restart, the page says when the node is gone, and sign-out revokes for good.</summary>
public sealed class SessionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-websession-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task NodeRestart_SameHomeAndPort_PageStaysSignedIn_ShowsNotRunningMeanwhile_SignOutRevokes()
    {
        await using var browser = await Browser.LaunchAsync();
        var home = Path.Combine(_root, "alice");
        var alice = await WebNode.StartAsync(browser, home, "alice");
        var page = alice.Page;
        var node = alice.Node;
        try
        {
            var port = new Uri(alice.BaseUrl).Port.ToString(CultureInfo.InvariantCulture);
            await alice.GoAsync("settings");
            await Expect(page.Locator("#node-down")).ToBeHiddenAsync();

            // The node stops: the page says so (and nobody is shown online) while it is down.
            await node.DisposeAsync();
            await Expect(page.Locator("#node-down")).ToBeVisibleAsync();
            await Expect(page.Locator("#node-down")).ToContainTextAsync("not running");

            // Back on the same port with the same home: the banner goes and the page works, with no new link.
            node = await NodeProcess.StartAsync(ParleyRunner.Local, home, "--port", "0", "--api-port", port, "--no-discovery", "--name", "alice");
            await Expect(page.Locator("#node-down")).ToBeHiddenAsync(new() { Timeout = 20_000 });
            await Expect(page.GetByText("Signed out")).ToHaveCountAsync(0);
            // An unsafe request (CSRF token from the old session) is still accepted by the new process.
            var renamed = await page.EvalAsync<int>("""
                async () => {
                  const s = await fetch('/api/session').then(r => r.json());
                  const r = await fetch('/api/name', { method: 'POST', headers: { 'Content-Type': 'application/json', [s.csrfHeader]: s.csrfToken }, body: JSON.stringify({ name: 'alice2' }) });
                  return r.status;
                }
                """);
            Assert.Equal(200, renamed);
            Assert.Equal("alice2", (await node.StatusAsync()).GetProperty("name").GetString());
            await page.ReloadAsync();
            await Expect(page.Locator("#nav a[href='#/chats']")).ToBeVisibleAsync();

            // Sign out revokes the session: the cookie is refused now, and after another restart too.
            var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name.StartsWith("parley-", StringComparison.Ordinal));
            Assert.True(cookie.Expires > DateTimeOffset.UtcNow.AddDays(29).ToUnixTimeSeconds(), "the cookie lasts as long as the session");
            await alice.GoAsync("settings");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out of this browser" }).ClickAsync();
            await Expect(page.GetByText("You are not signed in")).ToBeVisibleAsync();
            await node.DisposeAsync();
            node = await NodeProcess.StartAsync(ParleyRunner.Local, home, "--port", "0", "--api-port", port, "--no-discovery");
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{alice.BaseUrl}/api/status");
            request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
            Assert.Empty(browser.Dialogs);
        }
        finally
        {
            await page.Context.CloseAsync();
            await node.DisposeAsync();
        }
    }
}
