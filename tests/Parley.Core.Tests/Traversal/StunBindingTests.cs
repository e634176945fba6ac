using System.Net;
using Parley.Core.Traversal;

namespace Parley.Core.Tests.Traversal;

public sealed class StunBindingTests
{
    [Fact]
    public void Response_CarriesTheRequestersAddress_XoredAsRfc8489Says_AndOnlyMatchesItsTransaction()
    {
        var (request, id) = StunBinding.CreateRequest();
        Assert.True(StunBinding.IsRequest(request));
        var from = new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40_123);
        var response = StunBinding.CreateResponse(request, from);
        // RFC 8489 15.2: the port XOR the cookie's top 16 bits, the address XOR the cookie.
        Assert.Equal([0x01, 0x01, 0x00, 0x0C, 0x21, 0x12, 0xA4, 0x42], response[..8]);
        Assert.Equal((byte)((40_123 >> 8) ^ 0x21), response[26]);
        Assert.Equal((byte)(203 ^ 0x21), response[28]);
        Assert.True(StunBinding.TryReadResponse(response, id, out var mapped));
        Assert.Equal(from, mapped);
        Assert.False(StunBinding.TryReadResponse(response, new byte[12], out _));
        Assert.False(StunBinding.IsRequest(response));
        Assert.False(StunBinding.IsRequest([.. request, 0, 0, 0, 0])); // attributes: not what we answer
    }

    [Fact]
    public void Response_WhoseLastAttributeLacksItsPadding_IsRefused_NotThrown()
    {
        var (_, id) = StunBinding.CreateRequest();
        // A success response carrying one 1-byte attribute whose 3 bytes of padding were cut off.
        byte[] response = [0x01, 0x01, 0x00, 0x05, 0x21, 0x12, 0xA4, 0x42, .. id, 0x80, 0x22, 0x00, 0x01, 0x41];
        Assert.False(StunBinding.TryReadResponse(response, id, out _));
    }
}
