using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Parley.Node.Tests.Api;

public class ApiTests
{
    private static HttpClient Client(TestNode node, bool withKey = true)
    {
        var client = new HttpClient { BaseAddress = node.Node.ApiUrl };
        if (withKey)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", node.Node.ApiKey);
        }
        return client;
    }

    [Fact]
    public async Task Status_WithKey_GivesIdentityAndPorts()
    {
        await using var alice = await TestNode.StartAsync("alice");
        using var client = Client(alice);
        var status = await client.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.Equal(alice.Id.ToString(), status.GetProperty("deviceId").GetString());
        Assert.Equal("alice", status.GetProperty("name").GetString());
        Assert.Equal(alice.Node.PeerPort, status.GetProperty("peerPort").GetInt32());
        Assert.StartsWith("http://127.0.0.1:", status.GetProperty("apiUrl").GetString(), StringComparison.Ordinal);
        var keyFile = Path.Combine(alice.Home, HomeFolder.ApiKeyFileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
    }

    [Fact]
    public async Task NoKey_Or_WrongKey_Is401()
    {
        await using var alice = await TestNode.StartAsync("alice");
        using var anonymous = Client(alice, withKey: false);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/status")).StatusCode);
        var key = alice.Node.ApiKey;
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (key[0] == '0' ? "1" : "0") + key[1..]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/status")).StatusCode);
    }

    [Theory]
    [InlineData("evil.example:80", null)]
    [InlineData("127.0.0.1:1", null)]
    [InlineData(null, "http://evil.example")]
    [InlineData(null, "null")]
    public async Task ForeignHost_Or_Origin_Is403_EvenWithKey(string? host, string? origin)
    {
        await using var alice = await TestNode.StartAsync("alice");
        using var client = Client(alice);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/someone") { Content = JsonContent.Create(new { text = "x" }) };
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Errors_AreJson_WithStatus()
    {
        await using var alice = await TestNode.StartAsync("alice");
        using var client = Client(alice);
        var notFound = await client.PostAsJsonAsync("/api/chat/nobody-at-all", new { text = "x" });
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("no peer matches", (await notFound.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        var badAdd = await client.PostAsJsonAsync("/api/contacts", new { target = "not-an-id" });
        Assert.Equal(HttpStatusCode.BadRequest, badAdd.StatusCode);
    }

    [Fact]
    public async Task EventStream_DeliversIncomingMessage()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + bob.Node.ApiKey);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{bob.Node.ApiUrl.Port}/api/events"), CancellationToken.None);
        using var client = Client(alice);
        var sent = await client.PostAsJsonAsync($"/api/chat/{bob.Id.Compact[..10]}", new { text = "<b>over the wire</b>" });
        sent.EnsureSuccessStatusCode();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Wait.Patience);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            var json = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement;
            if (json.GetProperty("type").GetString() == "message")
            {
                Assert.Equal("<b>over the wire</b>", json.GetProperty("data").GetProperty("text").GetString());
                Assert.Equal("received", json.GetProperty("data").GetProperty("state").GetString());
                break;
            }
        }
    }

    [Fact]
    public async Task EventStream_WithForeignOrigin_IsRefused()
    {
        await using var alice = await TestNode.StartAsync("alice");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + alice.Node.ApiKey);
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(new Uri($"ws://127.0.0.1:{alice.Node.ApiUrl.Port}/api/events"), CancellationToken.None));
    }
}
