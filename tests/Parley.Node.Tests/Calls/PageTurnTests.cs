using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Parley.Core.Traversal;
using Parley.Node.Calls;

namespace Parley.Node.Tests.Calls;

/// <summary>
/// Two real nodes in a call on the pages' WebRTC engine, with each page's TURN client played by a UDP
/// socket: what alice's "page" sends to bob's page's relayed name comes out of bob's node as a Data
/// indication from alice's, through the call's media session; a stranger on this machine without the
/// call's password gets only challenges, and after the hang-up even the password opens nothing.
/// </summary>
public sealed class PageTurnTests : TwoContacts
{
    private static readonly IPEndPoint CallerName = new(IPAddress.Parse("192.0.2.1"), 40000);
    private static readonly IPEndPoint CalleeName = new(IPAddress.Parse("198.51.100.1"), 40000);

    private static HttpClient Api(TestNode node) => new()
    {
        BaseAddress = node.Node.ApiUrl,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", node.Node.ApiKey) },
    };

    [Fact]
    public async Task A_page_datagram_crosses_the_nodes_and_strangers_get_only_challenges()
    {
        using var aliceApi = Api(Alice);
        using var bobApi = Api(Bob);
        var placed = await (await aliceApi.PostAsJsonAsync("/api/calls", new { peer = "bob", video = true, codecs = new[] { "h264" }, engines = new[] { "webrtc", "webcodecs" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = placed.GetProperty("id").GetString()!;
        await Wait.UntilAsync(() => Bob.Node.Calls.All.Any(c => c.State == CallState.Ringing), "bob's phone to ring");
        var accepted = await (await bobApi.PostAsJsonAsync($"/api/calls/{id}/accept", new { codecs = new[] { "h264" }, engines = new[] { "webrtc" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("webrtc", accepted.GetProperty("engine").GetString());
        await Wait.UntilAsync(() => Alice.Node.Calls.All.Single().State == CallState.Active, "alice to hear the answer");
        var aliceCall = await aliceApi.GetFromJsonAsync<JsonElement>($"/api/calls/{id}");
        Assert.Equal("webrtc", aliceCall.GetProperty("engine").GetString());
        var (aliceTurn, aliceUser, alicePassword) = Turn(aliceCall);
        var (bobTurn, bobUser, bobPassword) = Turn(accepted);

        // A stranger: no credentials, the right user with a wrong password, then garbage. Nothing but challenges.
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await stranger.SendAsync(new StunMessageBuilder(TurnMessages.Allocate).AddUInt32(StunAttribute.RequestedTransport, TurnMessages.UdpTransport).ToArray(), aliceTurn);
        Assert.Equal(401, ErrorOf(await ReceiveAsync(stranger)));
        await stranger.SendAsync(Allocate(aliceUser, "guessed"), aliceTurn);
        Assert.Equal(401, ErrorOf(await ReceiveAsync(stranger)));
        await stranger.SendAsync(SendTo(CalleeName, "from a stranger"u8.ToArray()), aliceTurn); // no allocation: goes nowhere
        await stranger.SendAsync(new byte[] { 0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4 }, aliceTurn);

        // The pages: each allocates with its call's credentials; alice's sends to bob's name, bob's hears it from alice's.
        using var alicePage = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var bobPage = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await alicePage.SendAsync(Allocate(aliceUser, alicePassword), aliceTurn);
        Assert.Equal(CallerName, RelayedOf(await ReceiveAsync(alicePage)));
        await bobPage.SendAsync(Allocate(bobUser, bobPassword), bobTurn);
        Assert.Equal(CalleeName, RelayedOf(await ReceiveAsync(bobPage)));
        await alicePage.SendAsync(SendTo(CalleeName, "a DTLS hello"u8.ToArray()), aliceTurn);
        var (from, data) = DataOf(await ReceiveAsync(bobPage));
        Assert.Equal(CallerName, from);
        Assert.Equal("a DTLS hello", Encoding.ASCII.GetString(data));
        await bobPage.SendAsync(SendTo(CallerName, new byte[3000]), bobTurn); // bigger than one media packet: carried in pieces
        Assert.Equal(3000, DataOf(await ReceiveAsync(alicePage)).Data.Length);

        // A second allocation of alice's page gets the next name; once the first is released, a third takes the freed name
        // (not one the second still holds) and is where bob's datagrams to that name arrive.
        using var aliceSecond = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await aliceSecond.SendAsync(Allocate(aliceUser, alicePassword), aliceTurn);
        Assert.Equal(new IPEndPoint(CallerName.Address, 40001), RelayedOf(await ReceiveAsync(aliceSecond)));
        await alicePage.SendAsync(Signed(TurnMessages.Refresh, aliceUser, alicePassword, lifetime: 0), aliceTurn);
        await ReceiveAsync(alicePage);
        using var aliceThird = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await aliceThird.SendAsync(Allocate(aliceUser, alicePassword), aliceTurn);
        Assert.Equal(CallerName, RelayedOf(await ReceiveAsync(aliceThird)));
        await bobPage.SendAsync(SendTo(CallerName, "to the freed name"u8.ToArray()), bobTurn);
        Assert.Equal("to the freed name", Encoding.ASCII.GetString(DataOf(await ReceiveAsync(aliceThird)).Data));

        // After the hang-up the password opens nothing, and the call no longer shows it.
        await aliceApi.PostAsJsonAsync($"/api/calls/{id}/hangup", new { reason = "bye" });
        await Wait.UntilAsync(() => Bob.Node.Calls.All.Single().State == CallState.Ended, "bob to see the end");
        using var late = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await late.SendAsync(Allocate(bobUser, bobPassword), bobTurn);
        Assert.Equal(401, ErrorOf(await ReceiveAsync(late)));
        Assert.Equal(JsonValueKind.Null, (await bobApi.GetFromJsonAsync<JsonElement>($"/api/calls/{id}")).GetProperty("turn").ValueKind);
    }

    /// <summary>
    /// A page reloaded more times than a call has places allocates again without releasing: once a place has been
    /// quiet long enough, a new allocation signed with the password takes it; one still in use is never taken, and a
    /// stranger without the password takes or evicts nothing.
    /// </summary>
    [Fact]
    public async Task A_page_reloaded_past_the_places_rejoins_in_the_place_gone_quiet()
    {
        using var aliceApi = Api(Alice);
        using var bobApi = Api(Bob);
        var placed = await (await aliceApi.PostAsJsonAsync("/api/calls", new { peer = "bob", video = true, codecs = new[] { "h264" }, engines = new[] { "webrtc" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = placed.GetProperty("id").GetString()!;
        await Wait.UntilAsync(() => Bob.Node.Calls.All.Any(c => c.State == CallState.Ringing), "bob's phone to ring");
        var accepted = await (await bobApi.PostAsJsonAsync($"/api/calls/{id}/accept", new { codecs = new[] { "h264" }, engines = new[] { "webrtc" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        await Wait.UntilAsync(() => Alice.Node.Calls.All.Single().State == CallState.Active, "alice to hear the answer");
        var (aliceTurn, aliceUser, alicePassword) = Turn(await aliceApi.GetFromJsonAsync<JsonElement>($"/api/calls/{id}"));
        var (bobTurn, bobUser, bobPassword) = Turn(accepted);
        using var bobPage = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await bobPage.SendAsync(Allocate(bobUser, bobPassword), bobTurn);
        await ReceiveAsync(bobPage);

        // Four loads of alice's page, none released: the call's four places are held.
        var loads = Enumerable.Range(0, 4).Select(_ => new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))).ToList();
        using var fifth = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        try
        {
            for (var n = 0; n < loads.Count; n++)
            {
                await loads[n].SendAsync(Allocate(aliceUser, alicePassword), aliceTurn);
                Assert.Equal(new IPEndPoint(CallerName.Address, 40000 + n), RelayedOf(await ReceiveAsync(loads[n])));
            }
            await fifth.SendAsync(Allocate(aliceUser, alicePassword), aliceTurn);
            Assert.Equal(401, ErrorOf(await ReceiveAsync(fifth))); // all four in use a moment ago: no place

            // The first load goes quiet (the page was reloaded); the others keep sending consent checks.
            var quietFrom = DateTime.UtcNow;
            while (DateTime.UtcNow - quietFrom < PageTurnPlaces.IdleBeforeEviction + TimeSpan.FromSeconds(1))
            {
                foreach (var load in loads.Skip(1))
                {
                    await load.SendAsync(new StunMessageBuilder(0x0001).ToArray(), aliceTurn);
                    await ReceiveAsync(load);
                }
                await Task.Delay(2000);
            }
            await stranger.SendAsync(Allocate(aliceUser, "guessed"), aliceTurn);
            Assert.Equal(401, ErrorOf(await ReceiveAsync(stranger)));
            await fifth.SendAsync(Allocate(aliceUser, alicePassword), aliceTurn);
            Assert.Equal(CallerName, RelayedOf(await ReceiveAsync(fifth))); // the quiet one's place, not a busy one's
            await bobPage.SendAsync(SendTo(CallerName, "to the new load"u8.ToArray()), bobTurn);
            Assert.Equal("to the new load", Encoding.ASCII.GetString(DataOf(await ReceiveAsync(fifth)).Data));
        }
        finally
        {
            loads.ForEach(l => l.Dispose());
        }
    }

    private static (IPEndPoint Server, string User, string Password) Turn(JsonElement call)
    {
        var turn = call.GetProperty("turn");
        var url = turn.GetProperty("url").GetString()!; // turn:127.0.0.1:PORT?transport=udp
        var port = int.Parse(url["turn:127.0.0.1:".Length..url.IndexOf('?', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        return (new IPEndPoint(IPAddress.Loopback, port), turn.GetProperty("username").GetString()!, turn.GetProperty("credential").GetString()!);
    }

    private static byte[] Allocate(string user, string password) =>
        new StunMessageBuilder(TurnMessages.Allocate).AddUInt32(StunAttribute.RequestedTransport, TurnMessages.UdpTransport)
            .Add(StunAttribute.Username, user).Add(StunAttribute.Realm, PageTurnAllocation.Realm).Add(StunAttribute.Nonce, "n")
            .AddIntegrity(StunIntegrity.LongTermKey(user, PageTurnAllocation.Realm, password)).ToArray();

    private static byte[] Signed(ushort method, string user, string password, uint lifetime) =>
        new StunMessageBuilder(method).AddUInt32(StunAttribute.Lifetime, lifetime)
            .Add(StunAttribute.Username, user).Add(StunAttribute.Realm, PageTurnAllocation.Realm).Add(StunAttribute.Nonce, "n")
            .AddIntegrity(StunIntegrity.LongTermKey(user, PageTurnAllocation.Realm, password)).ToArray();

    private static byte[] SendTo(IPEndPoint peer, byte[] data) =>
        new StunMessageBuilder(TurnMessages.SendIndication).AddXorAddress(StunAttribute.XorPeerAddress, peer).Add(StunAttribute.Data, data).ToArray();

    private static async Task<byte[]> ReceiveAsync(UdpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return (await client.ReceiveAsync(timeout.Token)).Buffer;
    }

    private static int ErrorOf(byte[] reply) => StunMessage.TryParse(reply, out var message) && message.TryGetError(out var code, out _) ? code : 0;

    private static IPEndPoint? RelayedOf(byte[] reply) =>
        StunMessage.TryParse(reply, out var message) && message.TryGet(StunAttribute.XorRelayedAddress, out var value) && StunAddress.TryReadXor(value, message.TransactionId, out var relayed)
            ? relayed : null;

    private static (IPEndPoint? From, byte[] Data) DataOf(byte[] indication)
    {
        Assert.True(StunMessage.TryParse(indication, out var message));
        Assert.Equal(TurnMessages.DataIndication, message.Type);
        IPEndPoint? from = null;
        Assert.True(message.TryGet(StunAttribute.XorPeerAddress, out var value) && StunAddress.TryReadXor(value, message.TransactionId, out from));
        Assert.True(message.TryGet(StunAttribute.Data, out var data));
        return (from, data.ToArray());
    }
}
