namespace Parley.Core.Identity;

/// <summary>RFC 4648 section 6 base32 (upper case, no padding), as used for device IDs.</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, index = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[index++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            chars[index++] = Alphabet[(buffer << (5 - bits)) & 31];
        }
        return new string(chars, 0, index);
    }

    /// <summary>Decodes upper or lower case base32; returns false on any other character.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            int value = char.ToUpperInvariant(c) switch
            {
                >= 'A' and <= 'Z' and var u => u - 'A',
                >= '2' and <= '7' and var d => d - '2' + 26,
                _ => -1,
            };
            if (value < 0)
            {
                return false;
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                if (written == destination.Length)
                {
                    return false;
                }
                destination[written++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return true;
    }
}
