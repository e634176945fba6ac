using System.Buffers.Binary;

namespace Parley.Core.Videos.Probes;

/// <summary>Walking ISO BMFF boxes held in memory: every size is checked against its parent before it is used.</summary>
internal static class Mp4Boxes
{
    /// <summary>The first child of type <paramref name="wanted"/>, or null.</summary>
    public static ReadOnlyMemory<byte>? Child(ReadOnlyMemory<byte> parent, string wanted, int depth)
    {
        foreach (var (type, body) in Children(parent, depth))
        {
            if (type == wanted)
            {
                return body;
            }
        }
        return null;
    }

    /// <summary>
    /// The boxes inside a parent's body; a size that does not fit the parent is a format error. With
    /// <paramref name="trailingPadding"/>, fewer than 8 bytes after the last box end the walk (QuickTime writers leave
    /// such padding after a sample entry's boxes, and players skip it).
    /// </summary>
    public static IEnumerable<(string Type, ReadOnlyMemory<byte> Body)> Children(ReadOnlyMemory<byte> parent, int depth, bool trailingPadding = false)
    {
        if (depth > VideoProbe.MaxDepth)
        {
            throw new MediaFormatException($"boxes nested more than {VideoProbe.MaxDepth} deep");
        }
        var at = 0;
        while (at < parent.Length)
        {
            var rest = parent[at..];
            if (rest.Length < 8)
            {
                if (trailingPadding)
                {
                    yield break;
                }
                throw new MediaFormatException($"truncated box header ({rest.Length} bytes)");
            }
            var type = FourCc(rest.Span[4..8]);
            ulong size = BinaryPrimitives.ReadUInt32BigEndian(rest.Span);
            var headerSize = 8;
            if (size == 1)
            {
                if (rest.Length < 16)
                {
                    throw new MediaFormatException($"truncated large header of box '{type}'");
                }
                size = BinaryPrimitives.ReadUInt64BigEndian(rest.Span[8..]);
                headerSize = 16;
            }
            else if (size == 0)
            {
                size = (ulong)rest.Length;
            }
            if (size < (ulong)headerSize || size > (ulong)rest.Length)
            {
                throw new MediaFormatException($"box '{type}' has a size of {size:N0} that does not fit its parent ({rest.Length:N0} bytes)");
            }
            yield return (type, rest[headerSize..(int)size]);
            at += (int)size;
        }
    }

    public static void Need(ReadOnlySpan<byte> span, int bytes, string what)
    {
        if (span.Length < bytes)
        {
            throw new MediaFormatException($"'{what}' is {span.Length} bytes, shorter than its {bytes}-byte fixed part");
        }
    }

    /// <summary>A full box's 24-bit flags (after its version byte).</summary>
    public static uint Flags(ReadOnlySpan<byte> fullBox, string what)
    {
        Need(fullBox, 4, what);
        return BinaryPrimitives.ReadUInt32BigEndian(fullBox) & 0xFFFFFF;
    }

    /// <summary>A four-character code as text, with anything unprintable shown as '?'.</summary>
    public static string FourCc(ReadOnlySpan<byte> code)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            chars[i] = code[i] is >= 0x20 and < 0x7F ? (char)code[i] : '?';
        }
        return new string(chars);
    }
}
