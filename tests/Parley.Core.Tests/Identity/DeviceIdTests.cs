using Parley.Core.Identity;

namespace Parley.Core.Tests.Identity;

public class DeviceIdTests
{
    [Fact]
    public void ToString_Parse_RoundTrips()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var text = identity.DeviceId.ToString();
        Assert.Equal(DeviceId.TextLength + 12, text.Length);
        Assert.True(DeviceId.TryParse(text, out var parsed));
        Assert.Equal(identity.DeviceId, parsed);
        Assert.True(DeviceId.TryParse(text.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant(), out var compact));
        Assert.Equal(identity.DeviceId, compact);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ABCD")]
    [InlineData("ABES-APQW-WF6L-WL6R-QECS-BVJR-WVNJ-ULD5-6GYH-QXVD-XXOQ-PRI4-QXO1")]
    [InlineData("ABES-APQW-WF6L-WL6R-QECS-BVJR-WVNJ-ULD5-6GYH-QXVD-XXOQ-PRI4-QXOQ-AAAA")]
    public void TryParse_NotAnId_ReturnsFalse(string text) => Assert.False(DeviceId.TryParse(text, out _));

    [Fact]
    public void TryParse_NonCanonicalTrailingBits_ReturnsFalse()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var compact = identity.DeviceId.Compact;
        // The last character carries 1 data bit and 4 padding bits; setting padding makes a second spelling.
        var last = compact[^1];
        Assert.True(last is 'A' or 'Q');
        var altered = compact[..^1] + (last == 'A' ? 'B' : 'R');
        Assert.False(DeviceId.TryParse(altered, out _));
    }

    [Fact]
    public void FromCertificate_SameKeyFiles_SameId()
    {
        var home = Directory.CreateTempSubdirectory("parley-id-").FullName;
        try
        {
            DeviceId first;
            using (var created = NodeIdentity.LoadOrCreate(home))
            {
                first = created.DeviceId;
            }
            using var loaded = NodeIdentity.LoadOrCreate(home);
            Assert.Equal(first, loaded.DeviceId);
            var mode = File.GetUnixFileMode(Path.Combine(home, NodeIdentity.KeyFileName));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void Base32_RoundTrips_AllLengths()
    {
        var random = new Random(7);
        for (var length = 0; length < 40; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var text = Base32.Encode(data);
            var decoded = new byte[length + 1];
            Assert.True(Base32.TryDecode(text, decoded, out var written));
            Assert.Equal(data, decoded[..written]);
        }
    }
}
