using System.Buffers.Binary;
using System.Net;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>What a PCP reply said.</summary>
public enum PcpReplyKind
{
    /// <summary>Not a reply to our request (wrong opcode, nonce, protocol or port, or cut short).</summary>
    NotOurs,

    /// <summary>The server speaks only NAT-PMP (a version-0 reply) or another PCP version: fall back.</summary>
    UnsupportedVersion,

    /// <summary>A PCP error result (not authorized, no resources …).</summary>
    Refused,

    Mapped,
}

/// <summary>A PCP MAP reply as read: its kind, result code, and on success the external end point and lifetime.</summary>
public readonly record struct PcpMapReply(PcpReplyKind Kind, byte Result, IPEndPoint? External, uint LifetimeSeconds);

/// <summary>
/// PCP MAP messages (RFC 6887 §7 and §11), big-endian, to the gateway's UDP port 5351. Addresses are
/// 16 bytes, IPv4 as IPv4-mapped IPv6.
/// <code>
/// request header (24): version 2 | R=0, opcode 1 (MAP) | reserved u16 | requested lifetime u32 | client address (16)
/// reply header (24):   version 2 | R=1, opcode 1 (0x81) | reserved u8 | result u8 | lifetime u32 | epoch u32 | reserved (12)
/// MAP body (36):       nonce (12) | protocol u8 (6 TCP, 17 UDP) | reserved (3) | internal port u16
///                      | suggested (request) or assigned (reply) external port u16 | same for the external address (16)
/// </code>
/// Result 0 is success, 1 UNSUPP_VERSION. A NAT-PMP-only server answers a version-2 request with a
/// version-0 reply carrying result 1 (RFC 6887 §9), which is how a client knows to fall back.
/// </summary>
public static class PcpMessages
{
    public const int NonceBytes = 12;
    public const int MapSize = 60;
    private const byte Version = 2;
    private const byte MapOpcode = 1;
    private const byte ReplyBit = 0x80;
    private const byte Success = 0;
    private const byte UnsupportedVersion = 1;

    public static byte[] MapRequest(MappedProtocol protocol, IPAddress client, int internalPort, int suggestedExternalPort, uint lifetimeSeconds, ReadOnlySpan<byte> nonce)
    {
        var request = new byte[MapSize];
        request[0] = Version;
        request[1] = MapOpcode;
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), lifetimeSeconds);
        client.MapToIPv6().GetAddressBytes().CopyTo(request, 8);
        nonce[..NonceBytes].CopyTo(request.AsSpan(24));
        request[36] = ProtocolNumber(protocol);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(40), (ushort)internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(42), (ushort)suggestedExternalPort);
        IPAddress.IPv6Any.GetAddressBytes().CopyTo(request, 44); // no preference (all zeros, RFC 6887 §11.1)
        return request;
    }

    public static PcpMapReply ReadMap(ReadOnlySpan<byte> reply, MappedProtocol protocol, int internalPort, ReadOnlySpan<byte> nonce)
    {
        if (reply.Length >= 4 && reply[0] != Version)
        {
            // NAT-PMP's version 0 (or a PCP version we do not speak) with UNSUPP_VERSION; anything else is not ours.
            return reply[3] == UnsupportedVersion && (reply[1] & ReplyBit) != 0 ? new(PcpReplyKind.UnsupportedVersion, UnsupportedVersion, null, 0) : default;
        }
        if (reply.Length < 24 || reply[1] != (ReplyBit | MapOpcode))
        {
            return default;
        }
        var result = reply[3];
        if (result == UnsupportedVersion)
        {
            return new(PcpReplyKind.UnsupportedVersion, result, null, 0);
        }
        if (reply.Length < MapSize || !reply.Slice(24, NonceBytes).SequenceEqual(nonce[..NonceBytes]) || reply[36] != ProtocolNumber(protocol)
            || BinaryPrimitives.ReadUInt16BigEndian(reply[40..]) != internalPort)
        {
            return default;
        }
        if (result != Success)
        {
            return new(PcpReplyKind.Refused, result, null, 0);
        }
        var address = new IPAddress(reply.Slice(44, 16));
        var external = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, BinaryPrimitives.ReadUInt16BigEndian(reply[42..]));
        return new(PcpReplyKind.Mapped, result, external, BinaryPrimitives.ReadUInt32BigEndian(reply[4..]));
    }

    private static byte ProtocolNumber(MappedProtocol protocol) => protocol == MappedProtocol.Udp ? (byte)17 : (byte)6;
}
