using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>
/// A member asks the hub to hold an attachment's ciphertext, named by its SHA-256, for a room it is in
/// (charged to it and to the room) or for one recipient (charged to it). The hub answers with a
/// <see cref="BlobResult"/>: stored already (the same ciphertext is kept once), send the bytes, or refused.
/// <code>
/// BlobPut: put ID u32 | blob ID (32) | size u64 | scope u8 (0 room, 1 recipient) | room text8 or recipient device ID (32)
/// </code>
/// </summary>
public sealed record BlobPut(uint PutId, byte[] BlobId, long Size, string? Room, DeviceId? Recipient) : IWireMessage<BlobPut>
{
    public static int MaxSize => 4 + AttachmentRef.HashSize + 8 + 1 + 1 + 255;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out BlobPut message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadBytes(AttachmentRef.HashSize, out var blob) || !reader.TryReadU64(out var size)
            || size > long.MaxValue / 2 || !reader.TryRead(out var scope) || scope > 1)
        {
            error = "truncated blob put, or a scope other than room or recipient";
            return false;
        }
        string? room = null;
        DeviceId? recipient = null;
        if (scope == 0 ? !reader.TryReadText8(255, out var name) || (room = name).Length == 0 : !reader.TryReadDevice(out var device) || (recipient = device) is null)
        {
            error = "a blob put without its room or recipient";
            return false;
        }
        if (reader.Remaining != 0)
        {
            error = "bytes after the blob put";
            return false;
        }
        message = new BlobPut(id, blob, (long)size, room, recipient);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(PutId);
        output.Write(BlobId);
        output.WriteU64((ulong)Size);
        if (Room is { } room)
        {
            output.WriteU8(0);
            output.WriteText8(room, 255);
        }
        else
        {
            output.WriteU8(1);
            output.WriteDevice(Recipient!.Value);
        }
    }
}
