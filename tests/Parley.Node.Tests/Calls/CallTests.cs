using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Parley.Core.Calls;
using Parley.Node.Calls;

namespace Parley.Node.Tests.Calls;

/// <summary>Two real nodes on loopback: ring, answer, frames both ways through each node's page channel over UDP, hang up.</summary>
public sealed class CallTests : TwoContacts
{
    private static HttpClient Api(TestNode node) => new()
    {
        BaseAddress = node.Node.ApiUrl,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", node.Node.ApiKey) },
    };

    private static async Task<ClientWebSocket> MediaChannelAsync(TestNode node, string callId)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + node.Node.ApiKey);
        await socket.ConnectAsync(new Uri(node.Node.ApiUrl.ToString().Replace("http", "ws", StringComparison.Ordinal) + $"api/calls/{callId}/media"), CancellationToken.None);
        return socket;
    }

    private static byte[] PageFrameBytes(StreamKind stream, bool key, uint timestamp, byte[] data)
    {
        var bytes = new byte[PageFrame.HeaderSize + data.Length];
        bytes[0] = (byte)stream;
        bytes[1] = key ? (byte)1 : (byte)0;
        bytes[2] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(3), timestamp);
        data.CopyTo(bytes, PageFrame.HeaderSize);
        return bytes;
    }

    /// <summary>The next frame from the node, passing over notices (bitrate, keyframe wanted) on the way.</summary>
    private static async Task<byte[]> ReceiveFrameAsync(ClientWebSocket socket, TimeSpan within)
    {
        while (true)
        {
            var (binary, bytes) = await ReceiveAsync(socket, within);
            if (binary)
            {
                return bytes;
            }
        }
    }

    /// <summary>The next binary message (a frame) or text message (a notice) from the node.</summary>
    private static async Task<(bool Binary, byte[] Bytes)> ReceiveAsync(ClientWebSocket socket, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[400_000];
        var length = 0;
        ValueWebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += received.Count;
        }
        while (!received.EndOfMessage);
        return (received.MessageType == WebSocketMessageType.Binary, buffer[..length]);
    }

    [Fact]
    public async Task A_call_carries_frames_both_ways_and_hanging_up_ends_it_on_both_sides_with_the_reason()
    {
        using var aliceApi = Api(Alice);
        using var bobApi = Api(Bob);
        var placed = await (await aliceApi.PostAsJsonAsync("/api/calls", new { peer = "bob", video = true, codecs = new[] { "vp8", "vp9" } })).Content.ReadFromJsonAsync<JsonElement>();
        var id = placed.GetProperty("id").GetString()!;
        Assert.Equal("ringing", placed.GetProperty("state").GetString());
        await Wait.UntilAsync(() => Bob.Node.Calls.All.Any(c => c.State == CallState.Ringing), "bob's phone to ring");
        Assert.Equal(0, Bob.Node.Calls.Socket.Strays);
        var incoming = Bob.Node.Calls.All.Single();
        Assert.False(incoming.Outgoing);
        Assert.Equal("alice", incoming.PeerName);
        Assert.Null(incoming.Session); // nothing flows before the callee says yes

        var accepted = await (await bobApi.PostAsJsonAsync($"/api/calls/{id}/accept", new { codecs = new[] { "vp9", "h264" } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("active", "vp9"), (accepted.GetProperty("state").GetString(), accepted.GetProperty("codec").GetString()));
        await Wait.UntilAsync(() => Alice.Node.Calls.All.Single().State == CallState.Active, "alice to hear the answer");

        using var alicePage = await MediaChannelAsync(Alice, id);
        using var bobPage = await MediaChannelAsync(Bob, id);
        var keyframe = new byte[40_000];
        Random.Shared.NextBytes(keyframe);
        await alicePage.SendAsync(PageFrameBytes(StreamKind.Video, true, 9000, keyframe), WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal(PageFrameBytes(StreamKind.Video, true, 9000, keyframe), await ReceiveFrameAsync(bobPage, TimeSpan.FromSeconds(5)));
        var audio = Encoding.ASCII.GetBytes("an opus frame");
        await bobPage.SendAsync(PageFrameBytes(StreamKind.Audio, false, 960, audio), WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal(PageFrameBytes(StreamKind.Audio, false, 960, audio), await ReceiveFrameAsync(alicePage, TimeSpan.FromSeconds(5)));

        var hungUpAt = DateTime.UtcNow;
        await aliceApi.PostAsJsonAsync($"/api/calls/{id}/hangup", new { reason = "see you tomorrow" });
        // Bob's page hears why, within 200 ms.
        string notice;
        do
        {
            var (binary, got) = await ReceiveAsync(bobPage, TimeSpan.FromSeconds(2));
            notice = binary ? "" : Encoding.UTF8.GetString(got);
        }
        while (!notice.Contains("\"ended\"", StringComparison.Ordinal));
        Assert.True(DateTime.UtcNow - hungUpAt < TimeSpan.FromMilliseconds(200), $"bob heard after {(DateTime.UtcNow - hungUpAt).TotalMilliseconds:F0} ms");
        using var json = JsonDocument.Parse(notice);
        Assert.Equal(("ended", "see you tomorrow", true), (json.RootElement.GetProperty("type").GetString(), json.RootElement.GetProperty("reason").GetString(), json.RootElement.GetProperty("byPeer").GetBoolean()));
        Assert.Equal(CallState.Ended, Bob.Node.Calls.All.Single().State);
        // Then the node closes the page's channel: nothing more is carried.
        Assert.Equal(WebSocketState.CloseReceived, await ReceiveCloseAsync(bobPage));
    }

    private static async Task<WebSocketState> ReceiveCloseAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var result = await socket.ReceiveAsync(new byte[100], timeout.Token);
        return result.MessageType == WebSocketMessageType.Close ? WebSocketState.CloseReceived : socket.State;
    }

    [Fact]
    public async Task Declining_tells_the_caller_and_rings_are_collapsed_and_limited()
    {
        var call = Alice.Node.Calls.Place(Bob.Id, video: false, VideoCodecs.Vp8);
        await Wait.UntilAsync(() => Bob.Node.Calls.All.Count == 1, "the ring");
        Bob.Node.Calls.Decline(Bob.Node.Calls.All.Single(), "in a meeting");
        await Wait.UntilAsync(() => call.State == CallState.Ended, "alice to hear the no");
        Assert.Equal(("in a meeting", true), (call.EndReason, call.EndedByPeer));
        // Ringing again at once is refused by bob's node: one ring every few seconds.
        var again = Alice.Node.Calls.Place(Bob.Id, video: false, VideoCodecs.Vp8);
        await Wait.UntilAsync(() => again.State == CallState.Ended, "the refusal");
        Assert.Contains("ringing too often", again.EndReason);
        Assert.Single(Bob.Node.Calls.All);
    }

    [Fact]
    public async Task Stray_datagrams_cost_a_lookup_and_are_counted()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new IPEndPoint(IPAddress.Loopback, Bob.Node.PeerPort);
        var header = new byte[100];
        new MediaHeader(PacketKind.Media, StreamKind.Video, 0xDEAD, 1, 0, 0, 0, 1, MediaFlags.None, 1).Write(header);
        foreach (var datagram in new[] { new byte[5], header, new byte[1100], Encoding.ASCII.GetBytes("hello") })
        {
            await udp.SendAsync(datagram, target);
        }
        await Wait.UntilAsync(() => Bob.Node.Calls.Socket.Strays == 4, "four strays counted");
    }

    [Theory]
    [InlineData(VideoCodecs.Vp8 | VideoCodecs.H264, new[] { VideoCodecs.H264, VideoCodecs.Vp8 }, VideoCodecs.H264)]
    [InlineData(VideoCodecs.Vp8 | VideoCodecs.H264, new[] { VideoCodecs.Vp9, VideoCodecs.Vp8 }, VideoCodecs.Vp8)]
    [InlineData(VideoCodecs.Vp8, new[] { VideoCodecs.H264 }, VideoCodecs.Vp8)]
    [InlineData(VideoCodecs.Vp9 | VideoCodecs.H264, new VideoCodecs[0], VideoCodecs.Vp8)]
    public async Task The_callee_gets_its_first_choice_among_the_codecs_offered_and_both_sides_use_it(VideoCodecs offered, VideoCodecs[] preference, VideoCodecs chosen)
    {
        var call = Alice.Node.Calls.Place(Bob.Id, video: true, offered);
        await Wait.UntilAsync(() => Bob.Node.Calls.All.Count == 1, "the ring");
        var incoming = Bob.Node.Calls.Accept(Bob.Node.Calls.All.Single(), preference);
        await Wait.UntilAsync(() => call.State == CallState.Active, "the answer");
        Assert.Equal(chosen, incoming.Codecs);
        Assert.Equal(chosen, call.Codecs);
    }

    [Fact]
    public async Task A_call_whose_media_keys_are_used_up_ends_on_both_sides_with_the_reason()
    {
        var call = Alice.Node.Calls.Place(Bob.Id, video: false, VideoCodecs.Vp8);
        await Wait.UntilAsync(() => Bob.Node.Calls.All.Count == 1, "the ring");
        var incoming = Bob.Node.Calls.Accept(Bob.Node.Calls.All.Single(), VideoCodecs.Vp8);
        await Wait.UntilAsync(() => call.State == CallState.Active, "the answer");
        // Twenty packet numbers before the u32 counter would wrap (and an AES-GCM nonce repeat).
        call.Session!.StartPacketNumbersAt(uint.MaxValue - 20);
        for (var i = 0; i < 40 && call.State == CallState.Active; i++)
        {
            call.SendFromPage(new PageFrame(StreamKind.Audio, false, 2, (uint)i * 960, new byte[] { 1, 2, 3 }));
        }
        await Wait.UntilAsync(() => call.State == CallState.Ended && incoming.State == CallState.Ended, "the call to end on both sides");
        Assert.Equal((MediaSession.KeysUsedUpReason, false), (call.EndReason, call.EndedByPeer));
        Assert.Equal((MediaSession.KeysUsedUpReason, true), (incoming.EndReason, incoming.EndedByPeer));
        Assert.Equal(0, incoming.Session!.Stats.TooOld + incoming.Session.Stats.Forged);
    }

    [Fact]
    public async Task The_peer_going_offline_ends_the_call()
    {
        var call = Alice.Node.Calls.Place(Bob.Id, video: true, VideoCodecs.Vp8);
        await Wait.UntilAsync(() => Bob.Node.Calls.All.Count == 1, "the ring");
        Bob.Node.Calls.Accept(Bob.Node.Calls.All.Single(), VideoCodecs.Vp8);
        await Wait.UntilAsync(() => call.State == CallState.Active, "the answer");
        await Bob.Node.StopAsync();
        await Wait.UntilAsync(() => call.State == CallState.Ended, "the end");
        Assert.True(call.EndedByPeer);
        Assert.Contains("shutting down", call.EndReason);
    }

    [Fact]
    public async Task Without_UDP_media_rides_the_link_and_still_arrives()
    {
        await using var carol = await TestNode.StartAsync("carol", mediaOverUdp: false);
        await TestNode.BefriendAsync(Alice, carol);
        var call = Alice.Node.Calls.Place(carol.Id, video: true, VideoCodecs.Vp8);
        await Wait.UntilAsync(() => carol.Node.Calls.All.Count == 1, "the ring");
        var incoming = carol.Node.Calls.Accept(carol.Node.Calls.All.Single(), VideoCodecs.Vp8);
        await Wait.UntilAsync(() => call.State == CallState.Active, "the answer");
        Assert.True(call.OverLink && incoming.OverLink);
        var received = new List<MediaFrame>();
        var reader = incoming.Listen();
        var frame = new byte[20_000];
        Random.Shared.NextBytes(frame);
        call.SendFromPage(new PageFrame(StreamKind.Video, true, 1, 9000, frame));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var item = await reader.ReadAsync(timeout.Token);
        while (item is not MediaFrame)
        {
            item = await reader.ReadAsync(timeout.Token);
        }
        Assert.Equal(frame, ((MediaFrame)item).Data);
        Assert.Equal(0, Alice.Node.Calls.Socket.Strays + carol.Node.Calls.Socket.Strays);
        Assert.Equal("link", CallInfo.Of(call).Transport);
    }
}
