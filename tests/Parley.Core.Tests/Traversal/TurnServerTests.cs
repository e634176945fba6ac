using Parley.Core.Traversal;

namespace Parley.Core.Tests.Traversal;

public sealed class TurnServerTests
{
    [Theory]
    [InlineData("turn:turn.example.org:3479?transport=udp", "turn.example.org", 3479)]
    [InlineData("turn:192.0.2.1", "192.0.2.1", 3478)]
    [InlineData("TURN:[2001:db8::2]:5000?transport=UDP", "2001:db8::2", 5000)]
    public void Uri_IsParsed(string uri, string host, int port)
    {
        Assert.True(TurnServer.TryParse(uri, "u", "p", out var server, out var error), error);
        Assert.Equal(host, server.Host);
        Assert.Equal(port, server.Port);
    }

    [Theory]
    [InlineData("turns:turn.example.org:5349", "TLS) is not supported yet")]
    [InlineData("turn:turn.example.org:3478?transport=tcp", "TCP) is not supported yet")]
    [InlineData("stun:turn.example.org", "not a TURN URI")]
    [InlineData("turn:turn.example.org:99999", "no valid host")]
    [InlineData("turn:2001:db8::2", "no valid host")]
    [InlineData("turn:host?transport=sctp", "only transport=udp")]
    public void Unsupported_OrMalformed_IsRefused_Plainly(string uri, string expected)
    {
        Assert.False(TurnServer.TryParse(uri, "u", "p", out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Printed_WithoutThePassword()
    {
        Assert.True(TurnServer.TryParse("turn:h:1", "someone", "hunter2-secret", out var server, out _));
        Assert.Equal("turn:h:1?transport=udp", server.ToString());
        Assert.DoesNotContain("hunter2", $"{server}", StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCredentials_AreRefused()
    {
        Assert.False(TurnServer.TryParse("turn:h", null, "p", out _, out var error));
        Assert.Contains("user name and a password", error, StringComparison.Ordinal);
    }
}
