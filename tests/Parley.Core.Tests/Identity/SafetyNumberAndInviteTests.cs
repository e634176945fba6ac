using System.Net;
using Parley.Core.Identity;

namespace Parley.Core.Tests.Identity;

public class SafetyNumberAndInviteTests
{
    [Fact]
    public void SafetyNumber_OrderIndependent_AndDiffersPerPair()
    {
        using var a = NodeIdentity.CreateEphemeral();
        using var b = NodeIdentity.CreateEphemeral();
        using var c = NodeIdentity.CreateEphemeral();
        var ab = SafetyNumber.Compute(a.DeviceId, b.DeviceId);
        Assert.Equal(ab, SafetyNumber.Compute(b.DeviceId, a.DeviceId));
        Assert.NotEqual(ab, SafetyNumber.Compute(a.DeviceId, c.DeviceId));
        Assert.Matches(@"^\d{5}( \d{5}){5}$", ab);
    }

    [Fact]
    public void Invite_ToString_TryParse_RoundTrips()
    {
        using var a = NodeIdentity.CreateEphemeral();
        var invite = new Invite(a.DeviceId, "Zoë & co", [IPEndPoint.Parse("192.168.1.5:47800"), IPEndPoint.Parse("10.0.0.2:1234")]);
        Assert.True(Invite.TryParse(invite.ToString(), out var parsed, out var error), error);
        Assert.Equal(invite.DeviceId, parsed!.DeviceId);
        Assert.Equal("Zoë & co", parsed.Name);
        Assert.Equal(invite.Addresses, parsed.Addresses);
    }

    [Theory]
    [InlineData("http://example.com")]
    [InlineData("parley://notanid")]
    [InlineData("parley://ABESAPQWWF6LWL6RQECSBVJRWVNJULD56GYHQXVDXXOQPRI4QXOQ?addr=nonsense")]
    [InlineData("parley://ABESAPQWWF6LWL6RQECSBVJRWVNJULD56GYHQXVDXXOQPRI4QXOQ?addr=1.2.3.4")]
    public void Invite_Malformed_GivesError(string text)
    {
        Assert.False(Invite.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }
}
