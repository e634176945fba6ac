using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Traversal;

/// <summary>
/// The XOR-…-ADDRESS attribute value (RFC 8489 §14.2): the port XORed with the cookie's top half, an
/// IPv4 address with the cookie, an IPv6 one with the cookie and the transaction ID — so NATs that
/// rewrite addresses they see in payloads leave it alone.
/// <code>
/// 0 | family (0x01 IPv4, 0x02 IPv6) | port ^ 0x2112 | address ^ (cookie [| transaction ID])
/// </code>
/// </summary>
internal static class StunAddress
{
    private const byte IPv4 = 0x01;
    private const byte IPv6 = 0x02;

    public static bool TryReadXor(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        if (value.Length < 4 || transactionId.Length != 12)
        {
            return false;
        }
        var port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (StunMessage.MagicCookie >> 16));
        var family = value[1];
        var size = family == IPv4 ? 4 : family == IPv6 ? 16 : 0;
        if (size == 0 || value.Length != 4 + size)
        {
            return false;
        }
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunMessage.MagicCookie);
        transactionId.CopyTo(mask[4..]);
        Span<byte> address = stackalloc byte[size];
        for (var i = 0; i < size; i++)
        {
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        }
        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    /// <summary>The attribute value for <paramref name="endPoint"/> (an IPv4-mapped IPv6 address goes as IPv4).</summary>
    public static byte[] WriteXor(IPEndPoint endPoint, ReadOnlySpan<byte> transactionId)
    {
        var address = Normalize(endPoint.Address).GetAddressBytes();
        var value = new byte[4 + address.Length];
        value[1] = address.Length == 4 ? IPv4 : IPv6;
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), (ushort)(endPoint.Port ^ (StunMessage.MagicCookie >> 16)));
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunMessage.MagicCookie);
        transactionId.CopyTo(mask[4..]);
        for (var i = 0; i < address.Length; i++)
        {
            value[4 + i] = (byte)(address[i] ^ mask[i]);
        }
        return value;
    }

    /// <summary>The address as peers and servers see it: IPv4-mapped IPv6 as plain IPv4.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
