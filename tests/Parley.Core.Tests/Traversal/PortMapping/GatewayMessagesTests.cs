using System.Net;
using Parley.Core.Traversal.PortMapping;

namespace Parley.Core.Tests.Traversal.PortMapping;

/// <summary>NAT-PMP (RFC 6886) and PCP MAP (RFC 6887) replies crafted by hand, and random bytes, never throw.</summary>
public sealed class GatewayMessagesTests
{
    private static readonly byte[] Nonce = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    [Fact]
    public void NatPmp_Requests_AreLaidOutAsRfc6886Says()
    {
        Assert.Equal([0, 0], NatPmpMessages.ExternalAddressRequest());
        Assert.Equal([0, 2, 0, 0, 0xBA, 0xC8, 0xBA, 0xC8, 0, 0, 0x1C, 0x20], NatPmpMessages.MapRequest(MappedProtocol.Tcp, 47_816, 47_816, 7200));
        Assert.Equal([0, 1, 0, 0, 0xBA, 0xC8, 0, 0, 0, 0, 0, 0], NatPmpMessages.MapRequest(MappedProtocol.Udp, 47_816, 0, 0)); // a delete
    }

    [Fact]
    public void NatPmp_Replies_AreRead_OnlyWhenTheyAnswerOurRequest()
    {
        byte[] address = [0, 128, 0, 0, 0, 0, 0, 9, 198, 51, 100, 7];
        Assert.True(NatPmpMessages.TryReadExternalAddress(address, out var external));
        Assert.Equal(IPAddress.Parse("198.51.100.7"), external);
        Assert.False(NatPmpMessages.TryReadExternalAddress(address[..11], out _));
        Assert.False(NatPmpMessages.TryReadExternalAddress([0, 128, 0, 3, 0, 0, 0, 9, 1, 2, 3, 4], out _)); // network failure

        byte[] mapped = [0, 130, 0, 0, 0, 0, 0, 9, 0xBA, 0xC8, 0x9C, 0x40, 0, 0, 0x0E, 0x10];
        Assert.True(NatPmpMessages.TryReadMap(mapped, MappedProtocol.Tcp, 47_816, out var map));
        Assert.Equal(new NatPmpMapReply(0, 40_000, 3600), map);
        Assert.False(NatPmpMessages.TryReadMap(mapped, MappedProtocol.Udp, 47_816, out _)); // the TCP reply
        Assert.False(NatPmpMessages.TryReadMap(mapped, MappedProtocol.Tcp, 47_817, out _)); // another port's
        Assert.False(NatPmpMessages.TryReadMap(mapped[..15], MappedProtocol.Tcp, 47_816, out _));
        Assert.True(NatPmpMessages.TryReadMap([0, 130, 0, 2, 0, 0, 0, 9], MappedProtocol.Tcp, 47_816, out var refused));
        Assert.Equal(2, refused.Result);
    }

    [Fact]
    public void Pcp_MapRequest_NamesTheClient_AsAnIpv4MappedAddress_WithItsNonce()
    {
        var request = PcpMessages.MapRequest(MappedProtocol.Udp, IPAddress.Parse("10.0.0.5"), 5000, 5000, 7200, Nonce);
        Assert.Equal(60, request.Length);
        Assert.Equal([2, 1, 0, 0, 0, 0, 0x1C, 0x20], request[..8]);
        Assert.Equal(IPAddress.Parse("::ffff:10.0.0.5"), new IPAddress(request[8..24]));
        Assert.Equal(Nonce, request[24..36]);
        Assert.Equal(17, request[36]);
        Assert.Equal([0x13, 0x88, 0x13, 0x88], request[40..44]);
    }

    [Fact]
    public void Pcp_Replies_MapOnlyWithOurNonce_AndANatPmpOnlyServer_SaysUnsupportedVersion()
    {
        var reply = Reply(result: 0, lifetime: 120, port: 6000, external: "198.51.100.7");
        var read = PcpMessages.ReadMap(reply, MappedProtocol.Tcp, 5000, Nonce);
        Assert.Equal(PcpReplyKind.Mapped, read.Kind);
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:6000"), read.External);
        Assert.Equal(120u, read.LifetimeSeconds);
        Assert.Equal(PcpReplyKind.NotOurs, PcpMessages.ReadMap(reply, MappedProtocol.Tcp, 5000, new byte[12]).Kind);
        Assert.Equal(PcpReplyKind.NotOurs, PcpMessages.ReadMap(reply, MappedProtocol.Udp, 5000, Nonce).Kind);
        Assert.Equal(PcpReplyKind.NotOurs, PcpMessages.ReadMap(reply[..59], MappedProtocol.Tcp, 5000, Nonce).Kind);
        Assert.Equal(PcpReplyKind.Refused, PcpMessages.ReadMap(Reply(result: 2, lifetime: 0, port: 0, external: "0.0.0.0"), MappedProtocol.Tcp, 5000, Nonce).Kind);
        // RFC 6887 §9: a NAT-PMP server answers a version-2 request with version 0 and result 1.
        Assert.Equal(PcpReplyKind.UnsupportedVersion, PcpMessages.ReadMap([0, 0x81, 0, 1, 0, 0, 0, 9], MappedProtocol.Tcp, 5000, Nonce).Kind);
        Assert.Equal(PcpReplyKind.UnsupportedVersion, PcpMessages.ReadMap([2, 0x81, 0, 1, .. new byte[20]], MappedProtocol.Tcp, 5000, Nonce).Kind);
    }

    [Fact]
    public void RandomReplies_NeverThrow()
    {
        var random = new Random(17);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length > 1)
            {
                bytes[0] = (byte)(i % 4 == 0 ? 0 : 2); // get past the version check more often
            }
            NatPmpMessages.TryReadExternalAddress(bytes, out _);
            NatPmpMessages.TryReadMap(bytes, MappedProtocol.Tcp, 5000, out _);
            PcpMessages.ReadMap(bytes, MappedProtocol.Udp, 5000, Nonce);
        }
    }

    [Fact]
    public void DefaultGateway_IsTheUpDefaultRoutesGateway_FromProcNetRoute()
    {
        const string table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            + "eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
            + "eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
        Assert.Equal(IPAddress.Parse("10.0.2.1"), DefaultGateway.Parse(table));
        Assert.Null(DefaultGateway.Parse(table.Replace("0003", "0001", StringComparison.Ordinal))); // no gateway flag
        Assert.Null(DefaultGateway.Parse("garbage\n\t\t\t\n"));
    }

    private static byte[] Reply(byte result, uint lifetime, int port, string external)
    {
        var reply = new byte[60];
        reply[0] = 2;
        reply[1] = 0x81;
        reply[3] = result;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(4), lifetime);
        Nonce.CopyTo(reply, 24);
        reply[36] = 6;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(40), 5000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(42), (ushort)port);
        IPAddress.Parse(external).MapToIPv6().GetAddressBytes().CopyTo(reply, 44);
        return reply;
    }
}
