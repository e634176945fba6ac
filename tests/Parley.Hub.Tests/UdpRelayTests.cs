using System.Net;
using Parley.Core.Hub.UdpRelay;
using Parley.Node.Tests;
using static Parley.Hub.Tests.UdpRelayMember;

namespace Parley.Hub.Tests;

/// <summary>
/// The hub's UDP relay for media: an allocation carries datagrams unchanged between its member and the
/// peers the member permitted, both ways, and nothing to or from anyone else; it lives while it is
/// refreshed and its link is up.
/// </summary>
public sealed class UdpRelayTests : HubTestBase
{
    private static readonly IPAddress MemberIp = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress PeerIp = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress StrangerIp = IPAddress.Parse("127.0.0.2");
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    protected override HubOptions Options(int port) => base.Options(port) with { UdpRelayLifetime = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Allocation_CarriesDatagramsUnchanged_BothWays_OnlyWithPermittedPeers()
    {
        await using var alice = await ConnectAsync(Hub.Port, "alice", MemberIp);
        using var peer = Bound(PeerIp);
        using var stranger = Bound(StrangerIp);
        var allocation = await alice.AllocateAsync() ?? throw new InvalidOperationException(alice.LastRefusal);
        Assert.Equal(IPAddress.Loopback, allocation.Relayed.Address);
        alice.Send(allocation, null, []); // shows the hub where alice is
        await alice.PermitAsync(allocation, PeerIp);
        await Wait.UntilAsync(async () =>
        {
            peer.SendTo("ping"u8.ToArray(), allocation.Relayed);
            return await ReceiveAsync(alice.Udp, Short) is { } got && RelayDatagram.TryReadToMember(got.Data, out var from, out var payload)
                && from.Equals(peer.LocalEndPoint) && payload.SequenceEqual("ping"u8);
        }, "the peer's datagram at alice, tagged with where it came from");

        var media = new byte[1200];
        Random.Shared.NextBytes(media);
        alice.Send(allocation, (IPEndPoint)peer.LocalEndPoint!, media);
        var atPeer = await ReceiveAsync(peer, TimeSpan.FromSeconds(2));
        Assert.NotNull(atPeer);
        Assert.Equal(allocation.Relayed, atPeer.Value.From);
        Assert.Equal(media, atPeer.Value.Data);

        var strangers = Hub.UdpRelay.Dropped(UdpRelayDrop.Stranger);
        stranger.SendTo("let me in"u8.ToArray(), allocation.Relayed);
        Assert.Null(await ReceiveAsync(alice.Udp, Short));
        alice.Send(allocation, (IPEndPoint)stranger.LocalEndPoint!, "not permitted"u8.ToArray());
        Assert.Null(await ReceiveAsync(stranger, Short));
        Assert.Equal(strangers + 1, Hub.UdpRelay.Dropped(UdpRelayDrop.Stranger));
        Assert.Equal(1, Hub.UdpRelay.Dropped(UdpRelayDrop.NotPermitted));
    }

    [Fact]
    public async Task Allocation_IsFreed_WhenReleased_WhenNotRefreshed_AndWhenItsLinkCloses()
    {
        var alice = await ConnectAsync(Hub.Port, "alice", MemberIp);
        var released = await alice.AllocateAsync();
        var forgotten = await alice.AllocateAsync();
        var kept = await alice.AllocateAsync();
        Assert.True(released is not null && forgotten is not null && kept is not null, alice.LastRefusal);
        Assert.Equal(3, Hub.UdpRelay.Allocations);

        await alice.Link.SendAsync(Parley.Core.Protocol.FrameType.UdpRelayRelease, new UdpRelayRelease(released.AllocationId));
        await Wait.UntilAsync(() => Hub.UdpRelay.Allocations == 2, "the released one gone");

        // Refreshed every quarter second until the forgotten one's 2 s lifetime has run out (at most 10 s, on a
        // busy machine): kept lives, forgotten does not.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Hub.UdpRelay.Allocations != 1 && DateTime.UtcNow < deadline)
        {
            alice.Send(kept, null, []);
            await Task.Delay(250);
        }
        Assert.Equal(1, Hub.UdpRelay.Allocations);

        await alice.DisposeAsync();
        await Wait.UntilAsync(() => Hub.UdpRelay.Allocations == 0, "the link's allocations freed");
    }
}
