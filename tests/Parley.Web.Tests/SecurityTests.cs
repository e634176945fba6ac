using System.Net;
using System.Net.WebSockets;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>The web UI's guards: no session, no page; one-time links; Host, Origin and CSRF checks; peer text only ever as text.</summary>
public sealed class SecurityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-websec-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task WithoutSession_PageAndApiAreRefused_LoginLinkWorksOnce_SessionOutlivesTheNode()
    {
        await using var browser = await Browser.LaunchAsync();
        var home = Path.Combine(_root, "alice");
        var node = await NodeProcess.StartAsync(ParleyRunner.Local, home, "--port", "0", "--api-port", "0", "--no-discovery", "--name", "alice");
        try
        {
            var url = await WebNode.LoginUrlAsync(node);
            var baseUrl = url[..url.IndexOf("/login", StringComparison.Ordinal)];

            // A browser with no session: the page, its scripts and the API are all refused.
            var stranger = await browser.NewPageAsync();
            var refused = await stranger.GotoAsync(baseUrl + "/");
            Assert.Equal(401, refused!.Status);
            await Expect(stranger.Locator("code", new() { HasText = $"parley --home {home} open" })).ToBeVisibleAsync();
            Assert.Equal(401, (await stranger.APIRequest.GetAsync(baseUrl + "/js/main.js")).Status);
            Assert.Equal(401, (await stranger.APIRequest.GetAsync(baseUrl + "/api/status")).Status);
            await Expect(stranger.Locator("#nav")).ToHaveCountAsync(0);

            // The link signs in once; a second use (say, from browser history) is refused.
            var page = await browser.NewPageAsync();
            await page.GotoAsync(url);
            await Expect(page.Locator("#nav a[href='#/chats']")).ToBeVisibleAsync();
            Assert.Equal(baseUrl + "/#/home", page.Url);
            var reuse = await stranger.GotoAsync(url);
            Assert.Equal(401, reuse!.Status);
            await Expect(stranger.GetByText("used or has expired")).ToBeVisibleAsync();
            await stranger.Context.CloseAsync();

            var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name.StartsWith("parley-", StringComparison.Ordinal));
            Assert.True(cookie.HttpOnly);
            Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
            var csrf = await page.EvalAsync<string>("() => fetch('/api/session').then(r => r.json()).then(s => s.csrfToken)");
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };

            // With the session cookie: reading works; a change needs the CSRF token, the right Host and no foreign Origin.
            Assert.Equal(HttpStatusCode.OK, await SendAsync(http, HttpMethod.Get, "/api/status", cookie));
            Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(http, HttpMethod.Post, "/api/name", cookie, body: """{"name":"mallory"}"""));
            Assert.Equal(HttpStatusCode.OK, await SendAsync(http, HttpMethod.Post, "/api/name", cookie, csrf, body: """{"name":"alice2"}"""));
            Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(http, HttpMethod.Post, "/api/name", cookie, csrf,
                origin: "http://evil.example", body: """{"name":"mallory"}"""));
            Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(http, HttpMethod.Get, "/api/status", cookie, host: "evil.example"));
            Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(http, HttpMethod.Get, "/", cookie, host: $"rebound.example:{new Uri(baseUrl).Port}"));
            Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(http, HttpMethod.Post, "/api/login-links", cookie, csrf));
            Assert.Equal("alice2", (await node.StatusAsync()).GetProperty("name").GetString());

            // The event stream: the page's own origin is let in, another origin is not.
            Assert.Null(await OpenEventsAsync(baseUrl, cookie, baseUrl));
            Assert.Equal(HttpStatusCode.Forbidden, await OpenEventsAsync(baseUrl, cookie, "http://evil.example"));

            // The session is stored: the next node on the same port (same home) still knows the cookie;
            // a made-up one is refused. Sign-out and its revocation: SessionTests.
            var port = new Uri(baseUrl).Port;
            await node.DisposeAsync();
            node = await NodeProcess.StartAsync(ParleyRunner.Local, home, "--port", "0", "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-discovery");
            Assert.Equal(HttpStatusCode.OK, await SendAsync(http, HttpMethod.Get, "/api/status", cookie));
            var forged = new string('0', cookie.Value.Length);
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(http, HttpMethod.Get, "/api/status", new BrowserContextCookiesResult { Name = cookie.Name, Value = forged }));
            Assert.Empty(browser.Dialogs);
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task HostileNamesAndMessages_AreShownAsText_AndRunNothing()
    {
        const string HostileName = "<img src=x onerror=alert(1)>";
        const string HostileText = "<script>alert(2)</script><b onmouseover=alert(3)>hi</b>";
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var mallory = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "mallory"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", HostileName);

        var invite = (await alice.Node.CliAsync("invite")).Out.Trim();
        Assert.Equal(0, (await mallory.CliAsync("add", invite)).ExitCode);
        await alice.GoAsync("peers");
        var request = alice.Page.Locator(".peer-row", new() { HasText = HostileName });
        await Expect(request.Locator(".peer-name")).ToHaveTextAsync(HostileName);
        await request.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(alice.Page.Locator(".peer-row", new() { HasText = HostileName })).ToContainTextAsync("online");

        Assert.Equal(0, (await mallory.CliAsync("chat", "alice", HostileText)).ExitCode);
        await alice.GoAsync("chats");
        await alice.Page.Locator(".conversation-item", new() { HasText = HostileName }).ClickAsync();
        await Expect(alice.Page.Locator(".msg.in .text")).ToHaveTextAsync(HostileText);
        await Expect(alice.Page.Locator(".conversation-header h2")).ToHaveTextAsync(HostileName);
        await alice.Page.Locator(".msg.in .text").HoverAsync();

        await Expect(alice.Page.Locator("img[src='x']")).ToHaveCountAsync(0);
        await Expect(alice.Page.Locator("main script, main b")).ToHaveCountAsync(0);
        await alice.Page.WaitForTimeoutAsync(500);
        Assert.Empty(browser.Dialogs);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, HttpMethod method, string path, BrowserContextCookiesResult cookie,
        string? csrf = null, string? origin = null, string? host = null, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        if (csrf is not null)
        {
            request.Headers.Add("X-Parley-Csrf", csrf);
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Null when the event stream opened; else the status the node answered with.</summary>
    private static async Task<HttpStatusCode?> OpenEventsAsync(string baseUrl, BrowserContextCookiesResult cookie, string origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", $"{cookie.Name}={cookie.Value}");
        socket.Options.SetRequestHeader("Origin", origin);
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(new Uri(baseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/api/events"), CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            return null;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }
}
