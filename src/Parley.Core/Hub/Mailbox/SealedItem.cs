using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Mailbox;

/// <summary>
/// The layout of an item sealed by <see cref="MailboxSeal"/>, which makes and opens it.
/// <code>
/// sender identity SPKI length u16 | SPKI | ephemeral SPKI length u16 | SPKI | nonce (12) | tag (16)
/// | ciphertext length u32 | ciphertext | signature length u8 | signature (ECDSA P-256, P1363)
/// </code>
/// The signature covers every byte before its length.
/// </summary>
public sealed record SealedItem(byte[] SenderKey, byte[] EphemeralKey, byte[] Nonce, byte[] Tag, byte[] Ciphertext, byte[] Signature)
    : IWireMessage<SealedItem>
{
    public const int NonceSize = 12;
    public const int TagSize = 16;
    private const int MaxKeyBytes = 512;

    public static int MaxSize => MailboxSeal.MaxItemSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out SealedItem message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadBlob16(MaxKeyBytes, out var senderKey) || !reader.TryReadBlob16(MaxKeyBytes, out var ephemeralKey)
            || !reader.TryReadBytes(NonceSize, out var nonce) || !reader.TryReadBytes(TagSize, out var tag)
            || !reader.TryReadU32(out var length) || length > MailboxSeal.MaxItemSize || !reader.TryReadBytes((int)length, out var ciphertext)
            || !reader.TryReadBlob8(out var signature))
        {
            error = "truncated, or a key or ciphertext too long";
            return false;
        }
        if (reader.Remaining != 0)
        {
            error = "bytes after the signature";
            return false;
        }
        message = new SealedItem(senderKey, ephemeralKey, nonce, tag, ciphertext, signature);
        error = "";
        return true;
    }

    /// <summary>Every byte the signature covers.</summary>
    public byte[] SignedBytes()
    {
        var output = new ArrayBufferWriter<byte>(SenderKey.Length + EphemeralKey.Length + Ciphertext.Length + 64);
        WriteSigned(output);
        return output.WrittenSpan.ToArray();
    }

    public void Write(IBufferWriter<byte> output)
    {
        WriteSigned(output);
        output.WriteBlob8(Signature);
    }

    private void WriteSigned(IBufferWriter<byte> output)
    {
        output.WriteBlob16(SenderKey);
        output.WriteBlob16(EphemeralKey);
        output.Write(Nonce);
        output.Write(Tag);
        output.WriteU32((uint)Ciphertext.Length);
        output.Write(Ciphertext);
    }
}
