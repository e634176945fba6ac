using System.Net;
using Parley.Core.Hub.UdpRelay;
using Parley.Core.Protocol;
using static Parley.Hub.Tests.UdpRelayMember;

namespace Parley.Hub.Tests.Attacks;

/// <summary>
/// A stranger joins the hub (any device may) and asks its UDP relay to carry datagrams to places
/// behind the hub: loopback, the hub's own address, a private network. Each permit is refused with a
/// reason, and nothing the stranger sends through its allocation reaches a socket listening there.
/// </summary>
public sealed class UdpRelayDenyListTests : HubTestBase
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    /// <summary>The hub as an operator runs it: loopback is not a peer, private ranges are not opted in.</summary>
    protected override HubOptions Options(int port) => base.Options(port) with { UdpRelayAllowsLoopback = false };

    [Fact]
    public async Task PermitsToLoopback_TheHubsOwnAddress_AndAPrivateNetwork_AreRefused_AndNothingIsSentThere()
    {
        // The stranger's own UDP socket and link ride loopback; its peers are what it names.
        await using var stranger = await ConnectAsync(Hub.Port, "stranger", IPAddress.Loopback);
        var allocation = await stranger.AllocateAsync() ?? throw new InvalidOperationException(stranger.LastRefusal);
        stranger.Send(allocation, null, []);
        var hubOwn = OwnNonLoopbackAddress();
        using var onLoopback = Bound(IPAddress.Parse("127.0.0.7"));
        using var onHub = Bound(hubOwn);
        var targets = new[] { IPAddress.Parse("127.0.0.7"), hubOwn, IPAddress.Parse("10.1.2.3") };

        foreach (var target in targets)
        {
            await stranger.PermitAsync(allocation, target);
            var refusal = await ReadPermitRefusalAsync(stranger);
            Assert.Equal(allocation.AllocationId, refusal.AllocationId);
            Assert.Equal(target, refusal.Peer);
            output(refusal.Reason);
        }
        var refusedCounted = Hub.UdpRelay.Dropped(UdpRelayDrop.NotPermitted);
        for (var i = 0; i < 20; i++)
        {
            stranger.Send(allocation, (IPEndPoint)onLoopback.LocalEndPoint!, "to loopback"u8.ToArray());
            stranger.Send(allocation, (IPEndPoint)onHub.LocalEndPoint!, "to the hub itself"u8.ToArray());
            stranger.Send(allocation, new IPEndPoint(IPAddress.Parse("10.1.2.3"), 9), "to a private network"u8.ToArray());
        }
        Assert.Equal(0, await CountUntilQuietAsync(onLoopback, Quiet));
        Assert.Equal(0, await CountUntilQuietAsync(onHub, Quiet));
        Assert.Equal(0, Hub.UdpRelay.Relayed);
        Assert.Equal(refusedCounted + 60, Hub.UdpRelay.Dropped(UdpRelayDrop.NotPermitted));
        Assert.True(Hub.Online.Contains(stranger.Link.Identity.DeviceId), "refusals leave the link up");

        static void output(string reason) => Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void Policy_RefusesEachDeniedRange_WithItsReason_AndPrivateOnlyWithoutTheOptIn()
    {
        var strict = new UdpRelayPeerPolicy(new HubOptions { Home = HubHome }, [IPAddress.Parse("203.0.113.9")]);
        var open = new UdpRelayPeerPolicy(new HubOptions { Home = HubHome, UdpRelayPrivate = true }, [IPAddress.Parse("203.0.113.9")]);
        string[] denied = ["127.0.0.1", "0.0.0.0", "0.1.2.3", "255.255.255.255", "224.0.0.251", "239.1.1.1", "169.254.1.1", "203.0.113.9", "240.0.0.1"];
        foreach (var address in denied)
        {
            Assert.NotNull(strict.Refusal(IPAddress.Parse(address)));
            Assert.NotNull(open.Refusal(IPAddress.Parse(address)));
        }
        string[] privateRanges = ["10.0.0.1", "172.16.0.1", "172.31.255.1", "192.168.1.1", "100.64.0.1", "100.127.0.1", "fd00::1"];
        foreach (var address in privateRanges)
        {
            Assert.Contains("private", strict.Refusal(IPAddress.Parse(address)));
            Assert.Null(open.Refusal(IPAddress.Parse(address)));
        }
        foreach (var address in new[] { "198.51.100.7", "172.32.0.1", "100.128.0.1", "8.8.8.8" })
        {
            Assert.Null(strict.Refusal(IPAddress.Parse(address)));
        }
    }

    private static IPAddress OwnNonLoopbackAddress() =>
        Parley.Core.Links.LocalAddresses.IPv4(0, withLoopback: false).Select(e => e.Address).FirstOrDefault(a => !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("this machine has no address but loopback");

    private static async Task<UdpRelayPermitRefused> ReadPermitRefusalAsync(UdpRelayMember member)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline && await member.Link.ReadFrameAsync(deadline - DateTime.UtcNow) is { } frame)
        {
            if (frame.Type == FrameType.UdpRelayPermitRefused)
            {
                return WireMessage.Read<UdpRelayPermitRefused>(frame.Payload);
            }
        }
        throw new TimeoutException("the hub did not refuse the permit");
    }
}
