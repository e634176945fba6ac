using System.Buffers.Binary;

namespace Parley.Core.Traversal;

/// <summary>
/// One STUN message read from untrusted bytes (RFC 8489 §5, §14): the header checked, every attribute
/// walked once with its length checked against what is there, and where MESSAGE-INTEGRITY and
/// FINGERPRINT sit. A FINGERPRINT that does not match refuses the message (§14.7); integrity is checked
/// by whoever knows the key (<see cref="StunIntegrity"/>). Never throws.
/// <code>
/// header:    type u16 (top two bits 0) | length u16 (of the attributes) | magic cookie 0x2112A442 | transaction ID (12)
/// attribute: type u16 | length u16 | value, padded to a multiple of 4
/// </code>
/// </summary>
internal readonly ref struct StunMessage
{
    public const int HeaderSize = 20;
    public const uint MagicCookie = 0x2112A442;
    private const int NotFound = -1;

    private StunMessage(ReadOnlySpan<byte> bytes, int integrityOffset)
    {
        Bytes = bytes;
        IntegrityOffset = integrityOffset;
    }

    /// <summary>The whole message (header and attributes), without anything past its length.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public ushort Type => BinaryPrimitives.ReadUInt16BigEndian(Bytes);

    public ReadOnlySpan<byte> TransactionId => Bytes[8..HeaderSize];

    /// <summary>Where the MESSAGE-INTEGRITY attribute starts, or -1.</summary>
    public int IntegrityOffset { get; }

    public bool HasIntegrity => IntegrityOffset != NotFound;

    /// <summary>Reads the message at the start of <paramref name="datagram"/>; false for anything that is not whole, well-formed STUN.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (datagram.Length < HeaderSize || (datagram[0] & 0xC0) != 0 || BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != MagicCookie)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (length > datagram.Length - HeaderSize)
        {
            return false;
        }
        var bytes = datagram[..(HeaderSize + length)];
        var integrity = NotFound;
        var offset = HeaderSize;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < 4)
            {
                return false;
            }
            var type = BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]);
            var size = BinaryPrimitives.ReadUInt16BigEndian(bytes[(offset + 2)..]);
            if (size > bytes.Length - offset - 4)
            {
                return false;
            }
            if (type == StunAttribute.Fingerprint)
            {
                // The last attribute, over everything before it (§14.7).
                if (size != 4 || offset + 8 != bytes.Length || BinaryPrimitives.ReadUInt32BigEndian(bytes[(offset + 4)..]) != StunIntegrity.Fingerprint(bytes[..offset]))
                {
                    return false;
                }
                break;
            }
            if (type == StunAttribute.MessageIntegrity && integrity == NotFound)
            {
                integrity = size == StunIntegrity.HmacSize ? offset : int.MaxValue; // a wrong size can never verify
            }
            offset += 4 + Math.Min(bytes.Length - offset - 4, (size + 3) & ~3); // the last one's padding may be cut off
        }
        message = new StunMessage(bytes, integrity == int.MaxValue ? bytes.Length : integrity);
        return true;
    }

    /// <summary>The value of the first <paramref name="type"/> attribute (before MESSAGE-INTEGRITY: what follows it is not covered, §14.5).</summary>
    public bool TryGet(ushort type, out ReadOnlySpan<byte> value)
    {
        value = default;
        var end = HasIntegrity ? Math.Min(IntegrityOffset, Bytes.Length) : Bytes.Length;
        var offset = HeaderSize;
        while (end - offset >= 4)
        {
            var found = BinaryPrimitives.ReadUInt16BigEndian(Bytes[offset..]);
            var size = BinaryPrimitives.ReadUInt16BigEndian(Bytes[(offset + 2)..]);
            if (size > Bytes.Length - offset - 4)
            {
                return false;
            }
            if (found == type)
            {
                value = Bytes.Slice(offset + 4, size);
                return true;
            }
            offset += 4 + ((size + 3) & ~3);
        }
        return false;
    }

    /// <summary>The ERROR-CODE of an error response (§14.8): code and reason; false when missing or malformed.</summary>
    public bool TryGetError(out int code, out string reason)
    {
        code = 0;
        reason = "";
        if (!TryGet(StunAttribute.ErrorCode, out var value) || value.Length < 4)
        {
            return false;
        }
        code = (value[2] & 0x07) * 100 + value[3];
        reason = System.Text.Encoding.UTF8.GetString(value[4..Math.Min(value.Length, 4 + 256)]);
        return true;
    }
}

/// <summary>The attribute types Parley reads or writes (RFC 8489 §18.3, RFC 8656 §18).</summary>
internal static class StunAttribute
{
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort ChannelNumber = 0x000C;
    public const ushort Lifetime = 0x000D;
    public const ushort XorPeerAddress = 0x0012;
    public const ushort Data = 0x0013;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort XorRelayedAddress = 0x0016;
    public const ushort RequestedTransport = 0x0019;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Software = 0x8022;
    public const ushort Fingerprint = 0x8028;
}
