using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Identity;

namespace Parley.Core.Protocol;

/// <summary>
/// The field shapes messages are made of (big-endian integers, a device ID, length-prefixed text and
/// blobs), read from untrusted bytes without throwing and written into a buffer, so each message's
/// TryRead and Write read like its layout comment.
/// </summary>
internal static class PayloadFields
{
    public static bool TryReadU32(this ref SequenceReader<byte> reader, out uint value)
    {
        var ok = reader.TryReadBigEndian(out int raw);
        value = (uint)raw;
        return ok;
    }

    public static bool TryReadU16(this ref SequenceReader<byte> reader, out ushort value)
    {
        var ok = reader.TryReadBigEndian(out short raw);
        value = (ushort)raw;
        return ok;
    }

    public static bool TryReadU64(this ref SequenceReader<byte> reader, out ulong value)
    {
        var ok = reader.TryReadBigEndian(out long raw);
        value = (ulong)raw;
        return ok;
    }

    /// <summary>A Unix-milliseconds time that <see cref="DateTimeOffset"/> can hold.</summary>
    public static bool TryReadUnixMs(this ref SequenceReader<byte> reader, out DateTimeOffset value)
    {
        value = default;
        if (!reader.TryReadBigEndian(out long millis) || millis < 0 || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }
        value = DateTimeOffset.FromUnixTimeMilliseconds(millis);
        return true;
    }

    public static bool TryReadDevice(this ref SequenceReader<byte> reader, out DeviceId id)
    {
        id = default;
        Span<byte> bytes = stackalloc byte[DeviceId.Size];
        if (!reader.TryCopyTo(bytes))
        {
            return false;
        }
        reader.Advance(DeviceId.Size);
        id = new DeviceId(bytes);
        return true;
    }

    /// <summary>Exactly <paramref name="count"/> bytes, copied out.</summary>
    public static bool TryReadBytes(this ref SequenceReader<byte> reader, int count, out byte[] bytes)
    {
        bytes = [];
        if (count < 0 || reader.Remaining < count)
        {
            return false;
        }
        bytes = reader.UnreadSequence.Slice(0, count).ToArray();
        reader.Advance(count);
        return true;
    }

    /// <summary>Everything left, copied out.</summary>
    public static byte[] ReadRest(this ref SequenceReader<byte> reader)
    {
        var bytes = reader.UnreadSequence.ToArray();
        reader.AdvanceToEnd();
        return bytes;
    }

    /// <summary>Length u8 | strict UTF-8, at most <paramref name="maxBytes"/> long.</summary>
    public static bool TryReadText8(this ref SequenceReader<byte> reader, int maxBytes, out string text)
    {
        text = "";
        return reader.TryRead(out var length) && length <= maxBytes && reader.TryReadBytes(length, out var bytes) && PayloadText.TryDecode(bytes, out text);
    }

    /// <summary>Strict UTF-8 to the end of the payload.</summary>
    public static bool TryReadRestText(this ref SequenceReader<byte> reader, int maxBytes, out string text)
    {
        text = "";
        return reader.Remaining <= maxBytes && PayloadText.TryDecode(reader.ReadRest(), out text);
    }

    /// <summary>Length u8 | bytes (a signature).</summary>
    public static bool TryReadBlob8(this ref SequenceReader<byte> reader, out byte[] blob)
    {
        blob = [];
        return reader.TryRead(out var length) && reader.TryReadBytes(length, out blob);
    }

    /// <summary>Length u16 | bytes, at most <paramref name="maxBytes"/> long.</summary>
    public static bool TryReadBlob16(this ref SequenceReader<byte> reader, int maxBytes, out byte[] blob)
    {
        blob = [];
        return reader.TryReadU16(out var length) && length <= maxBytes && reader.TryReadBytes(length, out blob);
    }

    public static void WriteU8(this IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public static void WriteU16(this IBufferWriter<byte> output, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), value);
        output.Advance(2);
    }

    public static void WriteU32(this IBufferWriter<byte> output, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public static void WriteU64(this IBufferWriter<byte> output, ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public static void WriteUnixMs(this IBufferWriter<byte> output, DateTimeOffset value) => output.WriteU64((ulong)value.ToUnixTimeMilliseconds());

    public static void WriteDevice(this IBufferWriter<byte> output, DeviceId id) => output.Write(id.Bytes);

    /// <summary>Length u8 | UTF-8, cut at a character boundary to <paramref name="maxBytes"/> (at most 255).</summary>
    public static void WriteText8(this IBufferWriter<byte> output, string text, int maxBytes)
    {
        var bytes = PayloadText.Truncate(text, Math.Min(maxBytes, byte.MaxValue));
        output.WriteU8((byte)bytes.Length);
        output.Write(bytes);
    }

    /// <summary>Length u8 | bytes (a signature).</summary>
    public static void WriteBlob8(this IBufferWriter<byte> output, ReadOnlySpan<byte> blob)
    {
        output.WriteU8(checked((byte)blob.Length));
        output.Write(blob);
    }

    /// <summary>Length u16 | bytes.</summary>
    public static void WriteBlob16(this IBufferWriter<byte> output, ReadOnlySpan<byte> blob)
    {
        output.WriteU16(checked((ushort)blob.Length));
        output.Write(blob);
    }
}
