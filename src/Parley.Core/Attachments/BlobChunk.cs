using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>
/// Part of a blob's ciphertext, in order, after the hub said to send it. The hub checks the whole
/// blob's SHA-256 after the last byte and answers with a <see cref="BlobResult"/>.
/// <code>
/// BlobChunk: put ID u32 | offset u64 | bytes (1 .. 256 KiB)
/// </code>
/// </summary>
public sealed record BlobChunk(uint PutId, long Offset, ReadOnlyMemory<byte> Data) : IWireMessage<BlobChunk>
{
    /// <summary>Largest chunk of a blob in one frame. 256 KiB.</summary>
    public const int MaxData = 256 * 1024;

    public static int MaxSize => 12 + MaxData;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out BlobChunk message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadU64(out var offset) || offset > long.MaxValue / 2 || reader.Remaining is 0 or > MaxData)
        {
            error = "truncated blob chunk, or one empty or over 256 KiB";
            return false;
        }
        message = new BlobChunk(id, (long)offset, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(PutId);
        output.WriteU64((ulong)Offset);
        output.Write(Data.Span);
    }
}
