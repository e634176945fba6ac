using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A room message as <see cref="RoomCrypto"/> seals it: encrypted with the sender's key and signed with its identity.
/// <code>
/// sealed message: key ID u32 | counter u64 | tag (16) | ciphertext length u32 | ciphertext | signature length u8 | signature
/// </code>
/// The signature covers the associated data (room, sender) and every byte before its length.
/// </summary>
public sealed record SealedRoomMessage(uint KeyId, ulong Counter, byte[] Tag, byte[] Ciphertext, byte[] Signature) : IWireMessage<SealedRoomMessage>
{
    public const int TagSize = 16;

    /// <summary>A chat message (ID, time, 64 KiB of text) with its key ID, counter, tag and a P-256 signature.</summary>
    public static int MaxSize => 4 + 8 + TagSize + 4 + ProtocolLimits.MessageIdSize + 8 + Chat.ChatMessage.MaxTextBytes + 1 + 72;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out SealedRoomMessage message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var keyId) || !reader.TryReadU64(out var counter) || !reader.TryReadBytes(TagSize, out var tag)
            || !reader.TryReadU32(out var length) || length > int.MaxValue || !reader.TryReadBytes((int)length, out var ciphertext)
            || !reader.TryReadBlob8(out var signature) || reader.Remaining != 0)
        {
            error = "truncated, or bytes after the signature";
            return false;
        }
        message = new SealedRoomMessage(keyId, counter, tag, ciphertext, signature);
        error = "";
        return true;
    }

    /// <summary>The body the signature covers (after the associated data).</summary>
    public byte[] SignedBody()
    {
        var output = new ArrayBufferWriter<byte>(32 + Ciphertext.Length);
        WriteBody(output);
        return output.WrittenSpan.ToArray();
    }

    public void Write(IBufferWriter<byte> output)
    {
        WriteBody(output);
        output.WriteBlob8(Signature);
    }

    private void WriteBody(IBufferWriter<byte> output)
    {
        output.WriteU32(KeyId);
        output.WriteU64(Counter);
        output.Write(Tag);
        output.WriteU32((uint)Ciphertext.Length);
        output.Write(Ciphertext);
    }
}
