using System.Buffers.Binary;
using System.Net;
using System.Text;
using Parley.Core.Traversal;

namespace Parley.Core.Tests.Traversal;

/// <summary>
/// The node's TURN server for its own page, one allocation: what Chromium's TURN client sends (Allocate twice,
/// CreatePermission, ChannelBind, Send indications, ChannelData, Refresh) gets what RFC 8656 says, and a
/// stranger without the call's password gets only the challenge.
/// </summary>
public sealed class PageTurnAllocationTests
{
    private const string User = "0000002a.caller";
    private const string Password = "secret-of-the-call";
    private static readonly IPEndPoint Relayed = new(IPAddress.Parse("192.0.2.1"), 40000);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("198.51.100.1"), 40000);
    private static readonly IPEndPoint Page = new(IPAddress.Loopback, 51000);
    private static readonly byte[] Key = StunIntegrity.LongTermKey(User, PageTurnAllocation.Realm, Password);

    private static StunMessageBuilder Signed(ushort method, string user = User) =>
        new StunMessageBuilder(method).Add(StunAttribute.Username, user).Add(StunAttribute.Realm, PageTurnAllocation.Realm).Add(StunAttribute.Nonce, "n");

    [Fact]
    public void An_allocate_without_credentials_is_challenged_and_with_them_gets_the_relayed_name()
    {
        var allocation = new PageTurnAllocation(User, Password, Relayed);
        var bare = new StunMessageBuilder(TurnMessages.Allocate).AddUInt32(StunAttribute.RequestedTransport, TurnMessages.UdpTransport).ToArray();
        Assert.Null(PageTurnAllocation.UsernameOf(bare));
        var challenge = PageTurnAllocation.Challenge(bare)!;
        Assert.True(StunMessage.TryParse(challenge, out var answer));
        Assert.Equal(0x0113, answer.Type);
        Assert.True(answer.TryGetError(out var code, out _));
        Assert.Equal(401, code);
        Assert.True(answer.TryGet(StunAttribute.Realm, out var realm));
        Assert.Equal(PageTurnAllocation.Realm, Encoding.UTF8.GetString(realm));

        var request = Signed(TurnMessages.Allocate).AddUInt32(StunAttribute.RequestedTransport, TurnMessages.UdpTransport).AddIntegrity(Key).ToArray();
        Assert.Equal(User, PageTurnAllocation.UsernameOf(request));
        allocation.Handle(request, Page, out var reply, out var toPeer);
        Assert.Null(toPeer);
        Assert.True(StunMessage.TryParse(reply, out var success));
        Assert.Equal(0x0103, success.Type);
        Assert.True(StunIntegrity.Verify(success, Key));
        Assert.True(success.TryGet(StunAttribute.XorRelayedAddress, out var value));
        Assert.True(StunAddress.TryReadXor(value, success.TransactionId, out var relayed));
        Assert.Equal(Relayed, relayed);
    }

    [Theory]
    [InlineData("0000002a.caller", "not the password")]
    [InlineData("0000002b.callee", Password)]
    public void A_request_signed_with_another_key_or_user_gets_only_the_challenge(string user, string password)
    {
        var allocation = new PageTurnAllocation(User, Password, Relayed);
        var forged = Signed(TurnMessages.ChannelBind, user).AddUInt32(StunAttribute.ChannelNumber, 0x4000u << 16)
            .AddXorAddress(StunAttribute.XorPeerAddress, Peer).AddIntegrity(StunIntegrity.LongTermKey(user, PageTurnAllocation.Realm, password)).ToArray();
        allocation.Handle(forged, Page, out var reply, out var toPeer);
        Assert.Null(toPeer);
        Assert.True(StunMessage.TryParse(reply, out var answer));
        Assert.True(answer.TryGetError(out var code, out _));
        Assert.Equal(401, code);
        // Not bound: data for that peer still goes out as a Data indication, not on the channel.
        Assert.False(TurnMessages.IsChannelData(allocation.ToPage(Peer, [1, 2, 3])));
    }

    [Fact]
    public void Send_indications_and_bound_channels_carry_datagrams_both_ways()
    {
        var allocation = new PageTurnAllocation(User, Password, Relayed);
        var send = new StunMessageBuilder(TurnMessages.SendIndication).AddXorAddress(StunAttribute.XorPeerAddress, Peer).Add(StunAttribute.Data, [9, 8, 7]).ToArray();
        allocation.Handle(send, Page, out var reply, out var toPeer);
        Assert.Null(reply); // indications are not answered
        Assert.Equal(Peer, toPeer!.Value.Peer);
        Assert.Equal([9, 8, 7], toPeer.Value.Data);

        var data = allocation.ToPage(Peer, [1, 2, 3]);
        Assert.True(StunMessage.TryParse(data, out var indication));
        Assert.Equal(TurnMessages.DataIndication, indication.Type);
        Assert.True(indication.TryGet(StunAttribute.Data, out var carried));
        Assert.Equal([1, 2, 3], carried.ToArray());

        var bind = Signed(TurnMessages.ChannelBind).AddUInt32(StunAttribute.ChannelNumber, 0x4001u << 16).AddXorAddress(StunAttribute.XorPeerAddress, Peer).AddIntegrity(Key).ToArray();
        allocation.Handle(bind, Page, out reply, out _);
        Assert.True(StunMessage.TryParse(reply, out var bound));
        Assert.Equal(0x0109, bound.Type);

        var channelData = new byte[4 + 5];
        TurnMessages.WriteChannelData(channelData, 0x4001, [5, 5, 5, 5, 5]);
        allocation.Handle(channelData, Page, out reply, out toPeer);
        Assert.Null(reply);
        Assert.Equal(Peer, toPeer!.Value.Peer);
        Assert.Equal([5, 5, 5, 5, 5], toPeer.Value.Data);
        var back = allocation.ToPage(Peer, [4, 4]);
        Assert.True(TurnMessages.TryReadChannelData(back, out var channel, out var payload));
        Assert.Equal(0x4001, channel);
        Assert.Equal([4, 4], payload.ToArray());

        // Data on a channel never bound goes nowhere.
        TurnMessages.WriteChannelData(channelData, 0x4002, [5, 5, 5, 5, 5]);
        allocation.Handle(channelData, Page, out reply, out toPeer);
        Assert.Null(reply);
        Assert.Null(toPeer);
    }

    [Fact]
    public void A_refresh_with_lifetime_zero_releases_and_garbage_is_ignored()
    {
        var allocation = new PageTurnAllocation(User, Password, Relayed);
        allocation.Handle(Signed(TurnMessages.Refresh).AddUInt32(StunAttribute.Lifetime, 300).AddIntegrity(Key).ToArray(), Page, out var reply, out _);
        Assert.True(StunMessage.TryParse(reply, out var kept));
        Assert.True(kept.TryGet(StunAttribute.Lifetime, out var lifetime));
        Assert.Equal(300u, BinaryPrimitives.ReadUInt32BigEndian(lifetime));
        Assert.False(allocation.Released);

        foreach (var garbage in new byte[][] { [], [0x40], [0x40, 0x00, 0xFF, 0xFF, 1], [0x00, 0x01, 0x00, 0x08, 0x21, 0x12], new byte[300] })
        {
            allocation.Handle(garbage, Page, out reply, out var toPeer);
            Assert.Null(reply);
            Assert.Null(toPeer);
        }

        allocation.Handle(Signed(TurnMessages.Refresh).AddUInt32(StunAttribute.Lifetime, 0).AddIntegrity(Key).ToArray(), Page, out reply, out _);
        Assert.NotNull(reply);
        Assert.True(allocation.Released);
    }

    /// <summary>
    /// RFC 8656 §12.2: a channel already bound to one peer, or a peer already on another channel, is refused, so a
    /// rebind can never leave a peer's data going out as indications while its channel still carries the page's data.
    /// </summary>
    [Fact]
    public void A_channel_rebind_to_another_peer_or_channel_is_refused_and_the_first_binding_stands()
    {
        var allocation = new PageTurnAllocation(User, Password, Relayed);
        var other = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40001);
        Assert.Equal(0x0109, Bind(allocation, 0x4000, Peer));
        Assert.Equal(0x0109, Bind(allocation, 0x4000, Peer)); // the same pair again: a refresh
        Assert.Equal(0x0119, Bind(allocation, 0x4001, Peer)); // the peer onto a second channel
        Assert.Equal(0x0119, Bind(allocation, 0x4000, other)); // the channel onto another peer
        Assert.Equal(0x0109, Bind(allocation, 0x4002, other));

        Assert.True(TurnMessages.TryReadChannelData(allocation.ToPage(Peer, [1]), out var channel, out _));
        Assert.Equal(0x4000, channel);
        Assert.True(TurnMessages.TryReadChannelData(allocation.ToPage(other, [1]), out channel, out _));
        Assert.Equal(0x4002, channel);
        var channelData = new byte[5];
        TurnMessages.WriteChannelData(channelData, 0x4000, [7]);
        allocation.Handle(channelData, Page, out _, out var toPeer);
        Assert.Equal(Peer, toPeer!.Value.Peer);
        TurnMessages.WriteChannelData(channelData, 0x4001, [7]);
        allocation.Handle(channelData, Page, out _, out toPeer);
        Assert.Null(toPeer);
    }

    private static int Bind(PageTurnAllocation allocation, ushort channel, IPEndPoint peer)
    {
        var bind = Signed(TurnMessages.ChannelBind).AddUInt32(StunAttribute.ChannelNumber, (uint)channel << 16).AddXorAddress(StunAttribute.XorPeerAddress, peer).AddIntegrity(Key).ToArray();
        allocation.Handle(bind, Page, out var reply, out _);
        Assert.True(StunMessage.TryParse(reply, out var answer));
        return answer.Type;
    }

    /// <summary>RFC 8656 §7: an allocation lives 600 s from its Allocate or last Refresh (asked for less, it gets less), then holds no place.</summary>
    [Fact]
    public void An_allocation_expires_after_its_lifetime_unless_refreshed()
    {
        var clock = new ManualTimeProvider();
        var allocation = new PageTurnAllocation(User, Password, Relayed, clock);
        allocation.Handle(Signed(TurnMessages.Allocate).AddUInt32(StunAttribute.RequestedTransport, TurnMessages.UdpTransport).AddIntegrity(Key).ToArray(), Page, out _, out _);
        clock.Advance(TimeSpan.FromSeconds(599));
        Assert.False(allocation.IsExpired);
        allocation.Handle(Signed(TurnMessages.Refresh).AddIntegrity(Key).ToArray(), Page, out _, out _); // no LIFETIME: the default
        clock.Advance(TimeSpan.FromSeconds(599));
        Assert.False(allocation.IsExpired);
        allocation.Handle(Signed(TurnMessages.Refresh).AddUInt32(StunAttribute.Lifetime, 30).AddIntegrity(Key).ToArray(), Page, out _, out _);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(allocation.IsExpired);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(allocation.IsExpired);
        Assert.False(allocation.Released);
    }

    /// <summary>A new allocation takes the lowest place no live one holds, else the place of the one quiet longest if quiet long enough, else none.</summary>
    [Fact]
    public void A_new_allocation_takes_a_free_place_or_evicts_only_the_quietest_idle_one()
    {
        var clock = new ManualTimeProvider();
        var held = Enumerable.Range(0, 4).Select(n => new PageTurnAllocation(User, Password, new IPEndPoint(Relayed.Address, 40000 + n), clock)).ToList();
        Assert.Null(PageTurnPlaces.Choose(held, 40000, 4, out var evicted));
        Assert.Null(evicted);

        clock.Advance(TimeSpan.FromSeconds(10));
        var ping = new StunMessageBuilder(0x0001).ToArray();
        held[0].Handle(ping, Page, out _, out _);
        held[1].Handle(ping, Page, out _, out _);
        clock.Advance(TimeSpan.FromSeconds(5)); // 2 and 3 idle 15 s, 0 and 1 only 5 s
        held[3].Handle(ping, Page, out _, out _);
        Assert.Equal(40002, PageTurnPlaces.Choose(held, 40000, 4, out evicted));
        Assert.Same(held[2], evicted);

        held[1].Handle(Signed(TurnMessages.Refresh).AddUInt32(StunAttribute.Lifetime, 0).AddIntegrity(Key).ToArray(), Page, out _, out _);
        Assert.Equal(40001, PageTurnPlaces.Choose(held, 40000, 4, out evicted)); // a released place before any eviction
        Assert.Null(evicted);
    }

    /// <summary>Binding runs on the page TURN socket's thread and framing for the page on the media socket's: a peer's data always goes on a channel bound to it.</summary>
    [Fact]
    public async Task Channels_bound_on_one_thread_while_another_frames_datagrams_never_tear()
    {
        var allocation = new PageTurnAllocation(User, Password, Relayed);
        var peers = Enumerable.Range(0, 64).Select(n => new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000 + n)).ToArray();
        var until = DateTime.UtcNow.AddSeconds(2);
        var binder = Task.Run(() =>
        {
            for (var n = 0; DateTime.UtcNow < until; n++)
            {
                var bind = Signed(TurnMessages.ChannelBind).AddUInt32(StunAttribute.ChannelNumber, (uint)(0x4000 + (n % 16)) << 16)
                    .AddXorAddress(StunAttribute.XorPeerAddress, peers[n % peers.Length]).AddIntegrity(Key).ToArray();
                allocation.Handle(bind, Page, out _, out _);
            }
        });
        var wrong = 0;
        while (DateTime.UtcNow < until)
        {
            var n = Random.Shared.Next(peers.Length);
            var framed = allocation.ToPage(peers[n], [1]);
            if (TurnMessages.TryReadChannelData(framed, out var channel, out _) && channel != 0x4000 + (n % 16))
            {
                wrong++;
            }
        }
        await binder;
        Assert.Equal(0, wrong);
    }
}
