using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>
/// The fields the transfer messages share, read and written one way: every one starts with the
/// offer ID, most carry a file index, and the stopping ones end with a reason for the person.
/// </summary>
internal static class FileWire
{
    public const int IdSize = ProtocolLimits.MessageIdSize;

    /// <summary>Offer ID and file index: the head of FileRequest, FileEnd, FileDone and FileBlock.</summary>
    public const int IdAndIndexSize = IdSize + 4;

    public static bool TryReadId(ref SequenceReader<byte> reader, out Guid id)
    {
        Span<byte> bytes = stackalloc byte[IdSize];
        if (!reader.TryCopyTo(bytes))
        {
            id = default;
            return false;
        }
        reader.Advance(IdSize);
        id = new Guid(bytes);
        return true;
    }

    /// <summary>A file index is a u32 on the wire, yet never above <see cref="int.MaxValue"/> (an offer holds at most 100,000 files).</summary>
    public static bool TryReadIndex(ref SequenceReader<byte> reader, out int index) => reader.TryReadBigEndian(out index) && index >= 0;

    public static bool TryReadHash(ref SequenceReader<byte> reader, out byte[] hash)
    {
        hash = new byte[32];
        if (!reader.TryCopyTo(hash))
        {
            return false;
        }
        reader.Advance(32);
        return true;
    }

    /// <summary>
    /// The rest of the payload as a reason. It is only shown to the person, so bytes that are not
    /// UTF-8 read as no reason at all rather than closing the link (as they always have).
    /// </summary>
    public static string ReadReason(ref SequenceReader<byte> reader)
    {
        var reason = PayloadText.TryDecode(reader.UnreadSequence.ToArray(), out var text) ? text : "";
        reader.AdvanceToEnd();
        return reason;
    }

    public static void WriteId(IBufferWriter<byte> output, Guid id)
    {
        id.TryWriteBytes(output.GetSpan(IdSize));
        output.Advance(IdSize);
    }

    public static void WriteInt32(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public static void WriteInt64(IBufferWriter<byte> output, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    /// <summary>The reason cut at a character boundary to fit <see cref="ProtocolLimits.MaxCloseReasonBytes"/>.</summary>
    public static void WriteReason(IBufferWriter<byte> output, string reason) =>
        output.Write(PayloadText.Truncate(reason, ProtocolLimits.MaxCloseReasonBytes));

    /// <summary>
    /// Starts reading a message that begins with an offer ID and a file index (FileRequest, FileEnd,
    /// FileDone, FileBlock): its length must be within <paramref name="min"/>..<paramref name="max"/>
    /// (so nothing is missing and nothing left over) and the index not negative. The reader is left after the index.
    /// </summary>
    public static bool TryReadHead(in ReadOnlySequence<byte> payload, int min, int max, string name,
        out SequenceReader<byte> reader, out Guid id, out int index, out string error)
    {
        reader = new SequenceReader<byte>(payload);
        index = 0;
        if (payload.Length < min || payload.Length > max)
        {
            id = default;
            error = min == max ? $"{name} of {payload.Length} bytes, expected {min}" : $"{name} of {payload.Length} bytes is outside {min}..{max}";
            return false;
        }
        TryReadId(ref reader, out id);
        error = TryReadIndex(ref reader, out index) ? "" : $"{name} has a negative file index";
        return error.Length == 0;
    }

    /// <summary>An offset is a u64 on the wire, yet never above <see cref="long.MaxValue"/> (no file is that large).</summary>
    public static bool TryReadOffset(ref SequenceReader<byte> reader, string name, out long offset, out string error)
    {
        error = reader.TryReadBigEndian(out offset) && offset >= 0 ? "" : $"{name} has a negative offset";
        return error.Length == 0;
    }
}
