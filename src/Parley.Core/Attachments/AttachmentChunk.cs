using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>
/// Part of an attachment's ciphertext pushed over a link to a contact, in order, after its
/// <see cref="AttachmentRef"/> (frame 0x13). The receiver knows the whole length from the reference and
/// checks the ciphertext's SHA-256 (the reference's blob ID) before acknowledging the message.
/// <code>
/// AttachmentChunk: message ID (16) | offset u64 | bytes (1 .. 256 KiB)
/// </code>
/// </summary>
public sealed record AttachmentChunk(Guid MessageId, long Offset, ReadOnlyMemory<byte> Data) : IWireMessage<AttachmentChunk>
{
    public static int MaxSize => 24 + BlobChunk.MaxData;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out AttachmentChunk message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadBytes(16, out var id) || !reader.TryReadU64(out var offset) || offset > long.MaxValue / 2 || reader.Remaining is 0 or > BlobChunk.MaxData)
        {
            error = "truncated attachment chunk, or one empty or over 256 KiB";
            return false;
        }
        message = new AttachmentChunk(new Guid(id), (long)offset, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.Write(MessageId.ToByteArray());
        output.WriteU64((ulong)Offset);
        output.Write(Data.Span);
    }
}
