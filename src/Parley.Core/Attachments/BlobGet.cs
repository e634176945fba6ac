using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>
/// A member asks for a blob's ciphertext from an offset on; the hub answers with <see cref="BlobData"/>
/// frames to the end, or a <see cref="BlobError"/>. Knowing the blob's ID (the SHA-256 of its
/// ciphertext) is what a member can only have from a message that carried it; the bytes are useless
/// without that message's key.
/// <code>
/// BlobGet: request ID u32 | blob ID (32) | offset u64
/// </code>
/// </summary>
public sealed record BlobGet(uint RequestId, byte[] BlobId, long Offset) : IWireMessage<BlobGet>
{
    public static int MaxSize => 4 + AttachmentRef.HashSize + 8;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out BlobGet message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadBytes(AttachmentRef.HashSize, out var blob) || !reader.TryReadU64(out var offset)
            || offset > long.MaxValue / 2 || reader.Remaining != 0)
        {
            error = "a blob get that is not request ID, blob ID and offset";
            return false;
        }
        message = new BlobGet(id, blob, (long)offset);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.Write(BlobId);
        output.WriteU64((ulong)Offset);
    }
}
