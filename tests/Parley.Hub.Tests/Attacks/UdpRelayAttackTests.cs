using System.Net;
using System.Security.Cryptography;
using Parley.Core.Hub.UdpRelay;
using Parley.Node.Tests;
using static Parley.Hub.Tests.UdpRelayMember;

namespace Parley.Hub.Tests.Attacks;

/// <summary>
/// The UDP relay attacked as a stranger (or a greedy member) would: guessed tokens, datagrams dressed
/// as a permitted peer's, floods past the rate, and allocations asked for until refused. Each is
/// bounded, counted and refused; nothing reaches an address nobody permitted.
/// </summary>
public sealed class UdpRelayAttackTests : HubTestBase
{
    private static readonly IPAddress PeerIp = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress MalloryIp = IPAddress.Parse("127.0.0.5");
    private static readonly IPAddress VictimIp = IPAddress.Parse("127.0.0.6");
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    /// <summary>Small limits, so the attacks reach them in a fraction of a second.</summary>
    protected override HubOptions Options(int port) => base.Options(port) with
    {
        UdpRelayAllocationsPerMember = 3,
        UdpRelayAllocations = 5,
        UdpRelayPacketsPerSecondPerAllocation = 200,
        UdpRelayPacketsPerSecond = 300,
    };

    private async Task<(UdpRelayMember Member, UdpRelayAllocated Allocation)> AllocatedAsync(string name, IPAddress ip, params IPAddress[] permitted)
    {
        var member = await ConnectAsync(Hub.Port, name, ip);
        var allocation = await member.AllocateAsync() ?? throw new InvalidOperationException(member.LastRefusal);
        member.Send(allocation, null, []);
        await member.PermitAsync(allocation, permitted);
        await Task.Delay(100); // the permit is in (it rides the link)
        return (member, allocation);
    }

    [Fact]
    public async Task GuessedTokens_AndDatagramsDressedAsAPeers_AreDroppedAndCounted_AndReachNobody()
    {
        var (alice, allocation) = await AllocatedAsync("alice", IPAddress.Loopback, PeerIp);
        await using var _ = alice;
        using var mallory = Bound(MalloryIp);
        using var victim = Bound(VictimIp);
        var before = Hub.UdpRelay.Dropped(UdpRelayDrop.Stranger);
        const int Tries = 500;
        for (var i = 0; i < Tries; i++)
        {
            // A member's datagram with a guessed token, naming a victim (and then alice's permitted peer) as where to send.
            var forged = new byte[RelayDatagram.FromMemberHeader + 100];
            RelayDatagram.WriteFromMember(forged, RandomNumberGenerator.GetBytes(UdpRelayAllocated.TokenSize),
                i % 2 == 0 ? (IPEndPoint)victim.LocalEndPoint! : new IPEndPoint(PeerIp, 9), new byte[100]);
            mallory.SendTo(forged, allocation.Relayed);
            // And one dressed as the relay's own datagram from alice's permitted peer.
            var dressed = new byte[RelayDatagram.ToMemberHeader + 50];
            RelayDatagram.WriteToMember(dressed, new IPEndPoint(PeerIp, 9), new byte[50]);
            mallory.SendTo(dressed, allocation.Relayed);
            if (i % 25 == 0)
            {
                await Task.Delay(1); // paced, so the hub's socket buffer (not the relay) is not what drops them
            }
        }
        Assert.Equal(0, await CountUntilQuietAsync(victim, Quiet));
        Assert.Equal(0, await CountUntilQuietAsync(alice.Udp, Quiet));
        await Wait.UntilAsync(() => Hub.UdpRelay.Dropped(UdpRelayDrop.Stranger) - before >= Tries, "the forgeries counted");
        Assert.Equal(0, Hub.UdpRelay.Relayed);
    }

    [Fact]
    public async Task FloodPastTheRate_IsCutToTheAllocationsBudget_AndAllAllocationsToTheHubs()
    {
        var (alice, first) = await AllocatedAsync("alice", IPAddress.Loopback, PeerIp);
        await using var _ = alice;
        var second = await alice.AllocateAsync() ?? throw new InvalidOperationException(alice.LastRefusal);
        await alice.PermitAsync(second, PeerIp);
        using var peer = Bound(PeerIp);
        var to = (IPEndPoint)peer.LocalEndPoint!;
        await Task.Delay(100); // the permits are in

        // 2,000 datagrams through one allocation as fast as they go: it relays its 200 a second (one second's burst and what refills).
        var started = DateTime.UtcNow;
        for (var i = 0; i < 2000; i++)
        {
            alice.Send(first, to, new byte[200]);
            if (i % 50 == 0)
            {
                await Task.Delay(1); // paced, so the hub's socket buffer (not the relay) is not what drops them
            }
        }
        var received = await CountUntilQuietAsync(peer, Quiet);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        Assert.InRange(received, 100, 200 + (int)(200 * seconds) + 10);
        Assert.True(Hub.UdpRelay.Dropped(UdpRelayDrop.AllocationRate) >= 1000, $"{Hub.UdpRelay.Dropped(UdpRelayDrop.AllocationRate)} dropped for the allocation's rate");

        // Two allocations flooding together: the hub's 300 a second caps them both (each could do 200).
        await Task.Delay(1100); // every budget refilled
        started = DateTime.UtcNow;
        for (var i = 0; i < 2000; i++)
        {
            alice.Send(i % 2 == 0 ? first : second, to, new byte[200]);
            if (i % 50 == 0)
            {
                await Task.Delay(1);
            }
        }
        received = await CountUntilQuietAsync(peer, Quiet);
        seconds = (DateTime.UtcNow - started).TotalSeconds;
        Assert.InRange(received, 100, 300 + (int)(300 * seconds) + 10);
        Assert.True(Hub.UdpRelay.Dropped(UdpRelayDrop.HubRate) > 0, "the hub's own budget was reached");
    }

    [Fact]
    public async Task AllocationsAskedForUntilRefused_HoldOnlyTheMembersShare_AndFreeWithItsLink()
    {
        var mallory = await ConnectAsync(Hub.Port, "mallory", MalloryIp);
        var granted = 0;
        for (var i = 0; i < 10 && await mallory.AllocateAsync() is not null; i++)
        {
            granted++;
        }
        Assert.Equal(3, granted);
        Assert.Contains("you hold 3", mallory.LastRefusal);

        await using var trudy = await ConnectAsync(Hub.Port, "trudy", VictimIp);
        Assert.NotNull(await trudy.AllocateAsync());
        Assert.NotNull(await trudy.AllocateAsync());
        Assert.Null(await trudy.AllocateAsync());
        Assert.Equal("the hub's UDP relay is full", trudy.LastRefusal);
        Assert.True(Hub.Online.Contains(mallory.Link.Identity.DeviceId), "refusals leave the link up");

        await mallory.DisposeAsync();
        await Wait.UntilAsync(() => Hub.UdpRelay.Allocations == 2, "mallory's allocations freed with its link");
        await using var alice = await ConnectAsync(Hub.Port, "alice", IPAddress.Loopback);
        Assert.NotNull(await alice.AllocateAsync());
    }
}
