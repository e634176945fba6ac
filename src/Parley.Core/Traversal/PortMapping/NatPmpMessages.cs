using System.Buffers.Binary;
using System.Net;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>A NAT-PMP mapping reply: the result code, the port the router chose outside, and for how long.</summary>
public readonly record struct NatPmpMapReply(ushort Result, int ExternalPort, uint LifetimeSeconds);

/// <summary>
/// NAT-PMP messages (RFC 6886), all big-endian, to and from the gateway's UDP port 5351.
/// <code>
/// external address request: version 0 | opcode 0
/// external address reply:   version 0 | opcode 128 | result u16 | epoch u32 | external IPv4 (4)        (12 bytes)
/// map request:              version 0 | opcode 1 (UDP) or 2 (TCP) | reserved u16 | internal port u16
///                           | suggested external port u16 | requested lifetime u32 (s; 0 deletes)   (12 bytes)
/// map reply:                version 0 | opcode 128 + op | result u16 | epoch u32 | internal port u16
///                           | mapped external port u16 | lifetime u32                                (16 bytes)
/// </code>
/// Result 0 is success; 1 unsupported version, 2 refused, 3 network failure, 4 out of resources, 5 unsupported opcode.
/// </summary>
public static class NatPmpMessages
{
    public const ushort Success = 0;
    public const ushort UnsupportedVersion = 1;
    private const byte Version = 0;
    private const byte ReplyBit = 128;

    public static byte[] ExternalAddressRequest() => [Version, 0];

    public static byte[] MapRequest(MappedProtocol protocol, int internalPort, int suggestedExternalPort, uint lifetimeSeconds)
    {
        var request = new byte[12];
        request[1] = Opcode(protocol);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(4), (ushort)internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), (ushort)suggestedExternalPort);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(8), lifetimeSeconds);
        return request;
    }

    /// <summary>The router's external address from a successful reply; false for anything else.</summary>
    public static bool TryReadExternalAddress(ReadOnlySpan<byte> reply, out IPAddress? address)
    {
        address = null;
        if (reply.Length < 12 || reply[0] != Version || reply[1] != ReplyBit || BinaryPrimitives.ReadUInt16BigEndian(reply[2..]) != Success)
        {
            return false;
        }
        address = new IPAddress(reply[8..12]);
        return true;
    }

    /// <summary>Reads a reply to a map request for <paramref name="protocol"/> and <paramref name="internalPort"/>; false when it is not one.</summary>
    public static bool TryReadMap(ReadOnlySpan<byte> reply, MappedProtocol protocol, int internalPort, out NatPmpMapReply map)
    {
        map = default;
        if (reply.Length < 4 || reply[0] != Version || reply[1] != (byte)(ReplyBit | Opcode(protocol)))
        {
            return false;
        }
        var result = BinaryPrimitives.ReadUInt16BigEndian(reply[2..]);
        if (result != Success)
        {
            // An error reply may be cut short (RFC 6886 §3.5 allows the 8-byte header only for some errors).
            map = new NatPmpMapReply(result, 0, 0);
            return true;
        }
        if (reply.Length < 16 || BinaryPrimitives.ReadUInt16BigEndian(reply[8..]) != internalPort)
        {
            return false;
        }
        map = new NatPmpMapReply(result, BinaryPrimitives.ReadUInt16BigEndian(reply[10..]), BinaryPrimitives.ReadUInt32BigEndian(reply[12..]));
        return true;
    }

    private static byte Opcode(MappedProtocol protocol) => protocol == MappedProtocol.Udp ? (byte)1 : (byte)2;
}
