using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parley.Node.Tests.Api;

/// <summary>
/// A WebSocket handshake is not bound by CORS: a signed-in browser's cookie goes with a handshake
/// from any page. So a session's WebSocket is let in only with this node's own Origin; the CLI's
/// (API key) WebSockets need none. Each handshake here is written by hand, as an attacker would.
/// </summary>
public sealed class WebSocketOriginTests
{
    [Fact]
    public async Task SessionWebSocket_WithoutOrWithForeignOrigin_IsRefused_OwnOriginAndApiKey_AreAccepted()
    {
        await using var alice = await TestNode.StartAsync("alice");
        var port = alice.Node.ApiUrl.Port;
        var cookie = await SignInAsync(alice);

        foreach (var path in new[] { "/api/events", "/api/calls/no-such-call/media" })
        {
            var noOrigin = await HandshakeAsync(port, path, $"Cookie: {cookie}");
            Assert.True(noOrigin is 401 or 403, $"{path} without Origin: {noOrigin}");
            Assert.Equal(403, await HandshakeAsync(port, path, $"Cookie: {cookie}", "Origin: http://evil.example"));
            Assert.Equal(403, await HandshakeAsync(port, path, $"Cookie: {cookie}", $"Origin: http://127.0.0.1:{port + 1}"));
        }
        Assert.Equal(101, await HandshakeAsync(port, "/api/events", $"Cookie: {cookie}", $"Origin: http://127.0.0.1:{port}"));
        Assert.Equal(101, await HandshakeAsync(port, "/api/events", $"Cookie: {cookie}", $"Origin: http://localhost:{port}"));
        Assert.Equal(101, await HandshakeAsync(port, "/api/events", $"Authorization: Bearer {alice.Node.ApiKey}"));
        Assert.Equal(401, await HandshakeAsync(port, "/api/events"));
    }

    /// <summary>Signs in as a browser does, by the one-time login link; the session cookie (name=value).</summary>
    private static async Task<string> SignInAsync(TestNode node)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler);
        var login = await browser.GetAsync(node.Node.CreateLoginUrl());
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = Assert.Single(handler.CookieContainer.GetCookies(node.Node.ApiUrl));
        return $"{cookie.Name}={cookie.Value}";
    }

    /// <summary>An HTTP/1.1 WebSocket handshake written on a raw socket; the status code of the answer.</summary>
    private static async Task<int> HandshakeAsync(int port, string path, params string[] headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var request = new StringBuilder()
            .Append(FormattableString.Invariant($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"))
            .Append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
        foreach (var header in headers)
        {
            request.Append(header).Append("\r\n");
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(Wait.Patience);
        var status = await reader.ReadLineAsync(timeout.Token) ?? "";
        return int.Parse(status.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
