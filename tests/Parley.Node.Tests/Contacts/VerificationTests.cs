using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Contacts;

/// <summary>"Mark as verified" is stored, and a verified contact coming back with another key is flagged.</summary>
public class VerificationTests
{
    [Fact]
    public async Task VerifiedContact_ReappearsWithAnotherKey_RequestCarriesKeyChangeWarning_UntilVerified()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        using var api = new HttpClient { BaseAddress = bob.Node.ApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bob.Node.ApiKey);

        var verified = await (await api.PostAsync($"/api/peers/{alice.Id}/verify", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(verified.GetProperty("verified").GetBoolean());

        // Stored: bob restarts and alice is still verified.
        await bob.RestartAsync();
        using var restarted = new HttpClient { BaseAddress = bob.Node.ApiUrl };
        restarted.DefaultRequestHeaders.Authorization = api.DefaultRequestHeaders.Authorization;
        Assert.True(Contact(await PeersAsync(restarted), "contacts", alice.Id.ToString()).GetProperty("verified").GetBoolean());

        // "alice" again, from a new device (a new key): bob sees a request with the warning, and no badge.
        await using var newAlice = await TestNode.StartAsync("alice");
        await newAlice.Node.Links.MakeContactAsync(bob.Id, address: bob.Address);
        await Wait.UntilAsync(() => bob.Node.Contacts.Find(newAlice.Id)?.State == PeerState.Request, "the new alice's request at bob");
        var request = Contact(await PeersAsync(restarted), "requests", newAlice.Id.ToString());
        Assert.False(request.GetProperty("verified").GetBoolean());
        Assert.Equal(alice.Id.ToString(), request.GetProperty("keyChangeOf").GetString());
        // The old key keeps its badge (it is still the key bob checked) and carries no warning.
        var old = Contact(await PeersAsync(restarted), "contacts", alice.Id.ToString());
        Assert.True(old.GetProperty("verified").GetBoolean());
        Assert.Equal(JsonValueKind.Null, old.GetProperty("keyChangeOf").ValueKind);

        // Once bob checks the new key's safety number, the warning goes.
        (await restarted.PostAsync($"/api/peers/{newAlice.Id}/verify", null)).EnsureSuccessStatusCode();
        Assert.Equal(JsonValueKind.Null, Contact(await PeersAsync(restarted), "requests", newAlice.Id.ToString()).GetProperty("keyChangeOf").ValueKind);
        // Taking the old one back: the badge drops.
        (await restarted.PostAsync($"/api/peers/{alice.Id}/unverify", null)).EnsureSuccessStatusCode();
        Assert.False(Contact(await PeersAsync(restarted), "contacts", alice.Id.ToString()).GetProperty("verified").GetBoolean());
    }

    private static Task<JsonElement> PeersAsync(HttpClient api) => api.GetFromJsonAsync<JsonElement>("/api/peers");

    private static JsonElement Contact(JsonElement peers, string list, string deviceId) =>
        peers.GetProperty(list).EnumerateArray().Single(p => p.GetProperty("deviceId").GetString() == deviceId);
}
