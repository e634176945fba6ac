using System.Net;
using Parley.Core.Discovery;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Discovery;

public class AnnouncementTests
{
    [Fact]
    public void Encode_Decode_RoundTrips()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var announcement = new Announcement(identity.DeviceId, 47800, "alice's laptop");
        Assert.True(WireMessage.TryRead<Announcement>(announcement.ToArray(), out var decoded, out _));
        Assert.Equal(announcement, decoded);
    }

    [Fact]
    public void RandomAndMutatedDatagrams_NeverThrow()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var valid = new Announcement(identity.DeviceId, 1, "x").ToArray();
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
            accepted += WireMessage.TryRead<Announcement>(bytes, out _, out _) ? 1 : 0;
        }
        Assert.InRange(accepted, 1, 25_000); // some flips land in the ID or name and still decode
    }
}
