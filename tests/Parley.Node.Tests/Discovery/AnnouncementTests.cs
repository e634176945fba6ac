using System.Net;
using Parley.Core.Identity;
using Parley.Node.Discovery;

namespace Parley.Node.Tests.Discovery;

public class AnnouncementTests
{
    [Fact]
    public void Encode_Decode_RoundTrips()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var announcement = new Announcement(identity.DeviceId, 47800, "alice's laptop");
        Assert.True(Announcement.TryDecode(announcement.Encode(), out var decoded));
        Assert.Equal(announcement, decoded);
    }

    [Fact]
    public void RandomAndMutatedDatagrams_NeverThrow()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var valid = new Announcement(identity.DeviceId, 1, "x").Encode();
        var random = new Random(11);
        var accepted = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var bytes = i % 2 == 0 ? new byte[random.Next(0, 200)] : (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                random.NextBytes(bytes);
            }
            else
            {
                bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            }
            accepted += Announcement.TryDecode(bytes, out _) ? 1 : 0;
        }
        Assert.InRange(accepted, 1, 25_000); // some flips land in the ID or name and still decode
    }

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
