using System.Text;

namespace Parley.Core.Protocol;

/// <summary>Strict UTF-8 for text fields: invalid bytes are a protocol error, not replaced.</summary>
public static class PayloadText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = Strict.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>, cut at a character boundary to fit <paramref name="maxBytes"/>.</summary>
    public static byte[] Truncate(string text, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= maxBytes)
        {
            return bytes;
        }
        var length = maxBytes;
        while (length > 0 && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }
        return bytes[..length];
    }
}
