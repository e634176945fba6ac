using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>
/// Part of a blob the member asked for, in order; the one that reaches <see cref="Total"/> is the last.
/// <code>
/// BlobData: request ID u32 | offset u64 | total u64 | bytes (0 .. 256 KiB)
/// </code>
/// </summary>
public sealed record BlobData(uint RequestId, long Offset, long Total, ReadOnlyMemory<byte> Data) : IWireMessage<BlobData>
{
    public static int MaxSize => 20 + BlobChunk.MaxData;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out BlobData message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadU64(out var offset) || !reader.TryReadU64(out var total)
            || total > long.MaxValue / 2 || offset > total || reader.Remaining > BlobChunk.MaxData || (ulong)reader.Remaining > total - offset)
        {
            error = "truncated blob data, or bytes past the blob's end";
            return false;
        }
        message = new BlobData(id, (long)offset, (long)total, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.WriteU64((ulong)Offset);
        output.WriteU64((ulong)Total);
        output.Write(Data.Span);
    }
}
