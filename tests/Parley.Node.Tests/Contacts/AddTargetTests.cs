using System.Net;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Discovery;

namespace Parley.Node.Tests.Contacts;

/// <summary><c>parley add DEVICE-ID</c> of a device heard on the LAN dials its LAN address first, not only the hub's relay.</summary>
public sealed class AddTargetTests
{
    [Fact]
    public void DeviceId_OfADeviceHeardNearby_GetsItsLanAddress_AfterOneTyped()
    {
        using var bob = NodeIdentity.CreateEphemeral();
        var nearby = new NearbyList(TimeProvider.System, TimeSpan.FromSeconds(15));
        nearby.Update(bob.DeviceId, "bob", new IPEndPoint(IPAddress.Parse("192.168.1.20"), 47800));

        Assert.Equal("192.168.1.20:47800", AddTarget.Parse(new AddRequest(bob.DeviceId.ToString(), null), nearby).Address);
        Assert.Equal("10.0.0.9:1,192.168.1.20:47800", AddTarget.Parse(new AddRequest(bob.DeviceId.ToString(), "10.0.0.9:1"), nearby).Address);
    }

    [Fact]
    public void DeviceId_NotHeardNearby_HasOnlyWhatWasTyped()
    {
        using var bob = NodeIdentity.CreateEphemeral();
        var nearby = new NearbyList(TimeProvider.System, TimeSpan.FromSeconds(15));
        Assert.Null(AddTarget.Parse(new AddRequest(bob.DeviceId.ToString(), null), nearby).Address);
    }
}
