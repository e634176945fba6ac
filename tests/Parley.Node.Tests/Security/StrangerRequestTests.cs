using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Core.Protocol;
using Parley.Node.Storage;
using Parley.Testing;

namespace Parley.Node.Tests.Security;

/// <summary>
/// Strangers can ask to connect, but not without bound: requests stored and request links open are
/// capped (oldest first out), and a stranger's name cannot take a contact's.
/// </summary>
public sealed class StrangerRequestTests : TwoContacts
{
    private static HttpClient Api(TestNode node)
    {
        var client = new HttpClient { BaseAddress = node.Node.ApiUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", node.Node.ApiKey);
        return client;
    }

    [Fact]
    public async Task BurstOf150Strangers_KeepsAtMostTheCap_OfRequestsAndOfLinks_NewestFirst()
    {
        var options = Bob.Node.Options;
        var endpoint = IPEndPoint.Parse(Bob.Address);
        var strangers = new List<AttackerLink>();
        try
        {
            // A burst: 30 handshakes at a time, as fast as the node takes them.
            for (var wave = 0; wave < 5; wave++)
            {
                strangers.AddRange(await Task.WhenAll(Enumerable.Range(0, 30).Select(i => AttackerLink.ConnectAsync(endpoint, $"stranger{wave}-{i}"))));
            }
            // Then one more on its own: within a wave of 30 the order of arrival is anyone's guess (more than the 16 request links kept).
            strangers.Add(await AttackerLink.ConnectAsync(endpoint, "stranger-last"));
            var newest = strangers[^1].Identity.DeviceId;
            await Wait.UntilAsync(() => Bob.Node.Contacts.Find(newest) is not null, "the newest request");
            await Task.Delay(300); // closes in flight settle

            var requests = Bob.Node.Contacts.All.Count(r => r.State == PeerState.Request);
            var requestLinks = Bob.Node.Links.Sessions.Count(s => !s.LocalAccepts && !s.Link.IsClosed);
            Assert.InRange(requests, 1, options.MaxRequests);
            Assert.InRange(requestLinks, 1, options.MaxRequestLinks);
            Assert.NotNull(Bob.Node.Links.Session(newest));
            var told = await strangers[0].WaitClosedAsync(TimeSpan.FromSeconds(5));
            Assert.Contains("too many requests", told?.Reason ?? "", StringComparison.Ordinal);
            Assert.InRange(await LegitimateChat.OnceAsync(Alice, Bob, "after the crowd"), TimeSpan.Zero, LegitimateChat.Bound);
        }
        finally
        {
            foreach (var stranger in strangers)
            {
                await stranger.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task StrangerCallingItselfLikeAContact_CannotTakeItsName_ButIsReachedAsARequest()
    {
        await using var mallory = await AttackerLink.ConnectAsync(IPEndPoint.Parse(Alice.Address), name: "bob");
        await using var eve = await AttackerLink.ConnectAsync(IPEndPoint.Parse(Alice.Address), name: "eve");
        await Wait.UntilAsync(() => Alice.Node.Contacts.Find(mallory.Identity.DeviceId) is not null && Alice.Node.Contacts.Find(eve.Identity.DeviceId) is not null);
        using var api = Api(Alice);

        var chat = await api.PostAsJsonAsync("/api/chat/bob", new { text = "to the real bob" });
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        await Wait.UntilAsync(async () => (await Bob.HistoryWith(Alice)).Any(m => m.Text == "to the real bob"), "bob to get it");

        // A request is reached by a name unique among requests, and by its ID or a prefix of it.
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/peers/eve/accept", null)).StatusCode);
        Assert.Equal(PeerState.Contact, Alice.Node.Contacts.Find(eve.Identity.DeviceId)!.State);
        var prefix = mallory.Identity.DeviceId.Compact[..10];
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/peers/{prefix}/deny", null)).StatusCode);
        Assert.Equal(PeerState.Denied, Alice.Node.Contacts.Find(mallory.Identity.DeviceId)!.State);
        Assert.Equal(PeerState.Contact, Alice.Node.Contacts.Find(Bob.Id)!.State);
    }

    [Fact]
    public async Task AcceptByName_PrefersTheRequest_WhenAContactHasTheSameName()
    {
        await using var other = await AttackerLink.ConnectAsync(IPEndPoint.Parse(Alice.Address), name: "bob");
        await Wait.UntilAsync(() => Alice.Node.Contacts.Find(other.Identity.DeviceId) is not null);
        using var api = Api(Alice);
        var accepted = await (await api.PostAsync("/api/peers/bob/accept", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(other.Identity.DeviceId.ToString(), accepted.GetProperty("deviceId").GetString());
    }
}
