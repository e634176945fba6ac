using System.Net;
using static Parley.Hub.Tests.UdpRelayMember;

namespace Parley.Hub.Tests;

/// <summary>
/// A hub behind 1:1 NAT, told its public address: its invite names that address first, and its UDP
/// relay reports allocations at it (with the port it opened), since peers on the internet cannot
/// reach the address the hub sees on its own interface.
/// </summary>
public sealed class PublicAddressTests : HubTestBase
{
    private static readonly IPAddress Published = IPAddress.Parse("203.0.113.7");

    protected override HubOptions Options(int port) => base.Options(port) with { PublicAddress = Published };

    [Fact]
    public async Task PublicAddress_LeadsTheInvite_AndIsWhereTheUdpRelayReportsAllocations()
    {
        var invite = Hub.CreateInvite();
        Assert.Equal(new IPEndPoint(Published, Hub.Port), invite.Addresses[0]);
        Assert.Single(invite.Addresses, a => a.Address.Equals(Published));

        await using var member = await ConnectAsync(Hub.Port, "alice", IPAddress.Loopback);
        var allocation = await member.AllocateAsync() ?? throw new InvalidOperationException(member.LastRefusal);
        Assert.Equal(Published, allocation.Relayed.Address);
        var opened = Assert.Single(Hub.UdpRelay.Snapshot());
        Assert.Equal(opened.Relayed.Port, allocation.Relayed.Port);
    }

    [Fact]
    public void WithoutOne_TheInviteListsOnlyTheHostsOwnAddresses()
    {
        var invite = HubServer.CreateInvite(Hub.DeviceId, 47900);
        Assert.DoesNotContain(invite.Addresses, a => a.Address.Equals(Published));
    }
}
