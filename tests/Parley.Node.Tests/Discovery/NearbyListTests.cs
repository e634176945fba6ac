using System.Net;
using Parley.Core.Identity;
using Parley.Core.Tests;
using Parley.Node.Discovery;

namespace Parley.Node.Tests.Discovery;

public class NearbyListTests
{
    [Fact]
    public void NearbyList_ForgetsSilentDevices_AndIsBounded()
    {
        var time = new ManualClock();
        var list = new NearbyList(time, TimeSpan.FromSeconds(15));
        using var identity = NodeIdentity.CreateEphemeral();
        Assert.True(list.Update(identity.DeviceId, "a", IPEndPoint.Parse("10.0.0.1:1")));
        Assert.False(list.Update(identity.DeviceId, "a", IPEndPoint.Parse("10.0.0.1:1")));
        time.Now += TimeSpan.FromSeconds(16);
        Assert.Empty(list.Current);
        for (var i = 0; i < NearbyList.MaxEntries + 10; i++)
        {
            var bytes = new byte[DeviceId.Size];
            BitConverter.TryWriteBytes(bytes, i);
            list.Update(new DeviceId(bytes), "n", IPEndPoint.Parse("10.0.0.1:1"));
        }
        Assert.Equal(NearbyList.MaxEntries, list.Current.Count);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
