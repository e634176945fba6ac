using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>The hub and room routes of the local API keep the JSON names the web UI and the CLI read.</summary>
public sealed class HubApiTests : HubTestBase
{
    private static HttpClient Client(TestNode node)
    {
        var client = new HttpClient { BaseAddress = node.Node.ApiUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", node.Node.ApiKey);
        return client;
    }

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public async Task HubWhoisAndRooms_ShowTheirFields_ByTheirNames()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        using var client = Client(alice);
        await Wait.UntilAsync(() => alice.Node.HubMembers.Members.Any(m => m.DeviceId == bob.Id && m.Online), "alice to see bob");

        var hub = await client.GetFromJsonAsync<JsonElement>("/api/hub");
        Assert.Equal(["hub", "invite", "connected", "members", "name"], Names(hub));
        Assert.Equal(Hub.DeviceId.ToString(), hub.GetProperty("hub").GetString());
        var member = Assert.Single(hub.GetProperty("members").EnumerateArray());
        Assert.Equal(["deviceId", "name", "online", "lastSeen", "address", "state"], Names(member));
        Assert.Equal(JsonValueKind.Null, member.GetProperty("state").ValueKind);
        var peers = await client.GetFromJsonAsync<JsonElement>("/api/peers");
        Assert.Equal(bob.Id.ToString(), Assert.Single(peers.GetProperty("hub").EnumerateArray()).GetProperty("deviceId").GetString());

        var whois = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/whois?q=bob")).EnumerateArray());
        Assert.Equal(["deviceId", "name", "signatureValid", "online", "lastSeen", "issuedAt", "agreementKey", "contact"], Names(whois));
        Assert.True(whois.GetProperty("signatureValid").GetBoolean());

        var members = await (await client.PostAsJsonAsync("/api/rooms", new { name = "#Team" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["deviceId", "name", "online", "owner"], Names(Assert.Single(members.EnumerateArray())));
        var rooms = await client.GetFromJsonAsync<JsonElement>("/api/rooms");
        Assert.Equal(["rooms", "joined", "details"], Names(rooms));
        Assert.Equal("#team", Assert.Single(rooms.GetProperty("rooms").EnumerateArray()).GetString());
        Assert.Equal("#team", Assert.Single(rooms.GetProperty("joined").EnumerateArray()).GetString());
        Assert.Equal(["name", "public", "topic", "members", "joined"], Names(Assert.Single(rooms.GetProperty("details").EnumerateArray())));
        var room = await client.GetFromJsonAsync<JsonElement>("/api/rooms/%23team");
        Assert.Equal(["name", "topic", "public", "owners", "members", "iAmOwner", "joined", "waiting", "dropped", "firstUnread", "position"], Names(room));
        Assert.True(room.GetProperty("iAmOwner").GetBoolean());
        Assert.True(Assert.Single(room.GetProperty("members").EnumerateArray()).GetProperty("owner").GetBoolean());

        var sent = await (await client.PostAsJsonAsync("/api/chat/%23team", new { text = "hello room" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["id", "peer", "room", "sender", "peerName", "outgoing", "text", "sentAt", "state", "seq", "roomSeq", "delivered", "recipients"], Names(sent));
        Assert.Equal("me", sent.GetProperty("peerName").GetString());
        Assert.Equal("sent", sent.GetProperty("state").GetString());
        var history = await client.GetFromJsonAsync<JsonElement>("/api/chat/%23team");
        Assert.Equal(["you joined #team", "hello room"], history.EnumerateArray().Select(m => m.GetProperty("text").GetString()));

        var left = await (await client.PostAsync("/api/rooms/team/leave", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("#team", left.GetProperty("left").GetString());
    }
}
