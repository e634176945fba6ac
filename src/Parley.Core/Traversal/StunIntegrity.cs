using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Core.Traversal;

/// <summary>
/// STUN's message checks (RFC 8489): MESSAGE-INTEGRITY, an HMAC-SHA1 over the message up to that
/// attribute with the header's length counting it (§14.5), keyed for long-term credentials with
/// MD5(username ":" realm ":" password) (§9.2.2); and FINGERPRINT, a CRC-32 of the message before it
/// XORed with 0x5354554E (§14.7), which tells STUN from other traffic on the same port.
/// </summary>
internal static class StunIntegrity
{
    public const int HmacSize = 20;
    private const uint FingerprintXor = 0x5354554E;
    private static readonly uint[] s_crcTable = CrcTable();

    /// <summary>The long-term credential key. The strings go as UTF-8 (OpaqueString leaves plain ASCII as is).</summary>
    public static byte[] LongTermKey(string username, string realm, string password) =>
        MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}"));

    /// <summary>The HMAC for a MESSAGE-INTEGRITY at <paramref name="offset"/> of <paramref name="message"/> (header length patched to end right after it).</summary>
    public static byte[] Compute(ReadOnlySpan<byte> message, int offset, ReadOnlySpan<byte> key)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        Span<byte> header = stackalloc byte[StunMessage.HeaderSize];
        message[..StunMessage.HeaderSize].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(offset + 4 + HmacSize - StunMessage.HeaderSize));
        hmac.AppendData(header);
        hmac.AppendData(message[StunMessage.HeaderSize..offset]);
        return hmac.GetHashAndReset();
    }

    /// <summary>Whether <paramref name="message"/> carries a MESSAGE-INTEGRITY made with <paramref name="key"/>.</summary>
    public static bool Verify(in StunMessage message, ReadOnlySpan<byte> key)
    {
        var offset = message.IntegrityOffset;
        if (!message.HasIntegrity || offset + 4 + HmacSize > message.Bytes.Length)
        {
            return false;
        }
        var expected = Compute(message.Bytes, offset, key);
        return CryptographicOperations.FixedTimeEquals(expected, message.Bytes.Slice(offset + 4, HmacSize));
    }

    /// <summary>The FINGERPRINT value for the message bytes before it (with the header's length already counting it).</summary>
    public static uint Fingerprint(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = s_crcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc ^ FingerprintXor;
    }

    /// <summary>The table of CRC-32 (ISO 3309, reflected polynomial 0xEDB88320).</summary>
    private static uint[] CrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
