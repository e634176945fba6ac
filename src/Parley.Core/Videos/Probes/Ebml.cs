using System.Buffers.Binary;
using System.Numerics;

namespace Parley.Core.Videos.Probes;

/// <summary>EBML, Matroska's encoding: variable-length IDs and sizes, and element bodies read as numbers.</summary>
internal static class Ebml
{
    /// <summary>The elements inside a body held in memory; sizes must be known and fit the parent.</summary>
    public static IEnumerable<(uint Id, ReadOnlyMemory<byte> Body)> Children(ReadOnlyMemory<byte> parent, int depth)
    {
        if (depth > VideoProbe.MaxDepth)
        {
            throw new MediaFormatException($"elements nested more than {VideoProbe.MaxDepth} deep");
        }
        var at = 0;
        while (at < parent.Length)
        {
            var (id, idLength) = ReadId(parent.Span[at..]);
            var (size, sizeLength) = ReadSize(parent.Span[(at + idLength)..]);
            var start = at + idLength + sizeLength;
            if (size is not { } known || known > (ulong)(parent.Length - start))
            {
                throw new MediaFormatException($"element 0x{id:X} does not fit its parent");
            }
            yield return (id, parent.Slice(start, (int)known));
            at = start + (int)known;
        }
    }

    /// <summary>An element ID: a variable-length integer of 1 to 4 bytes, marker bit kept.</summary>
    public static (uint Id, int Length) ReadId(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty || span[0] == 0)
        {
            throw new MediaFormatException("bad element ID");
        }
        var length = BitLength(span[0]);
        if (length > 4 || span.Length < length)
        {
            throw new MediaFormatException(length > 4 ? "element ID longer than 4 bytes" : "truncated element ID");
        }
        uint id = 0;
        for (var i = 0; i < length; i++)
        {
            id = (id << 8) | span[i];
        }
        return (id, length);
    }

    /// <summary>An element size: a variable-length integer of 1 to 8 bytes; all value bits set means unknown.</summary>
    public static (ulong? Size, int Length) ReadSize(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty || span[0] == 0)
        {
            throw new MediaFormatException(span.IsEmpty ? "truncated element size" : "element size longer than 8 bytes");
        }
        var length = BitLength(span[0]);
        if (span.Length < length)
        {
            throw new MediaFormatException("truncated element size");
        }
        ulong value = span[0] & (0xFFu >> length);
        for (var i = 1; i < length; i++)
        {
            value = (value << 8) | span[i];
        }
        var allOnes = (1UL << (7 * length)) - 1;
        return (value == allOnes ? null : value, length);
    }

    /// <summary>1 + the number of leading zero bits of a variable-length integer's first byte.</summary>
    public static int BitLength(byte first) => BitOperations.LeadingZeroCount((uint)first) - 24 + 1;

    public static ulong Unsigned(ReadOnlySpan<byte> body, string what)
    {
        if (body.Length > 8)
        {
            throw new MediaFormatException($"{what} is {body.Length} bytes, longer than an unsigned integer");
        }
        ulong value = 0;
        foreach (var b in body)
        {
            value = (value << 8) | b;
        }
        return value;
    }

    public static int Dimension(ReadOnlySpan<byte> body, string what) => (int)Math.Min(Unsigned(body, what), int.MaxValue);

    public static double Float(ReadOnlySpan<byte> body, string what) => body.Length switch
    {
        0 => 0,
        4 => BinaryPrimitives.ReadSingleBigEndian(body),
        8 => BinaryPrimitives.ReadDoubleBigEndian(body),
        _ => throw new MediaFormatException($"{what} is a float of {body.Length} bytes"),
    };
}
