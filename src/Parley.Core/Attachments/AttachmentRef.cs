using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>
/// What a message says about its attachment: enough to fetch, decrypt and check the bytes. It travels
/// only inside channels that are already end to end (a link, a sealed mailbox item, a sealed room
/// message), so the key in it is as private as the message. <see cref="BlobId"/> is the SHA-256 of the
/// ciphertext (the name the hub's blob store knows it by); all zeros when the bytes come over the link.
/// The reader is strict about lengths and lenient about meaning: an unknown kind, or a voice message
/// without a sound duration or waveform, is read and shown as a plain file (see <see cref="IsPlayableVoice"/>).
/// <code>
/// AttachmentRef: message ID (16) | sent at u64 ms | kind u8 | size u64 | SHA-256 of plaintext (32) | key (32)
///   | blob ID (32) | duration ms u32 (0: none) | name text8 | MIME text8 | waveform blob8 | preview blob16 (≤ 32 KiB)
///   | caption (UTF-8, the rest, ≤ 4 KiB)
/// </code>
/// </summary>
public sealed record AttachmentRef(
    Guid Id, DateTimeOffset SentAt, byte Kind, long Size, byte[] Sha256, byte[] Key, byte[] BlobId, uint DurationMs,
    string Name, string Mime, byte[] Waveform, byte[] Preview, string Caption) : IWireMessage<AttachmentRef>
{
    public const byte FileKind = 0;
    public const byte ImageKind = 1;
    public const byte VoiceKind = 2;
    public const int HashSize = 32;
    public const int KeySize = 32;
    public const int MaxNameBytes = 255;
    public const int MaxMimeBytes = 127;

    /// <summary>Waveform values a voice message carries at most. 128.</summary>
    public const int MaxWaveform = 128;

    /// <summary>Largest preview (a JPEG the sender made). 32 KiB.</summary>
    public const int MaxPreviewBytes = 32 * 1024;

    /// <summary>Largest caption in UTF-8 bytes. 4 KiB.</summary>
    public const int MaxCaptionBytes = 4 * 1024;

    /// <summary>Longest voice message shown as one: 24 hours (a longer claimed duration is a malformed reference).</summary>
    public const uint MaxDurationMs = 24 * 3600 * 1000;

    private const int FixedSize = 16 + 8 + 1 + 8 + HashSize + KeySize + HashSize + 4;

    public static int MaxSize => FixedSize + 1 + MaxNameBytes + 1 + MaxMimeBytes + 1 + 255 + 2 + MaxPreviewBytes + MaxCaptionBytes;

    /// <summary>True when the bytes wait at the hub's blob store, not with the sender.</summary>
    public bool AtHub => BlobId.Any(b => b != 0);

    /// <summary>A voice message the receiver can draw and play as one: a duration and a waveform within bounds.</summary>
    public bool IsPlayableVoice => Kind == VoiceKind && DurationMs is > 0 and <= MaxDurationMs && Waveform.Length is > 0 and <= MaxWaveform;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out AttachmentRef message, out string error)
    {
        message = null;
        if (payload.Length > MaxSize)
        {
            error = "attachment reference too large";
            return false;
        }
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadBytes(16, out var id) || !reader.TryReadUnixMs(out var sentAt) || !reader.TryRead(out var kind)
            || !reader.TryReadU64(out var size) || size > long.MaxValue / 2
            || !reader.TryReadBytes(HashSize, out var sha) || !reader.TryReadBytes(KeySize, out var key) || !reader.TryReadBytes(HashSize, out var blob)
            || !reader.TryReadU32(out var duration) || !reader.TryReadText8(MaxNameBytes, out var name) || !reader.TryReadText8(MaxMimeBytes, out var mime)
            || !reader.TryReadBlob8(out var waveform) || !reader.TryReadBlob16(MaxPreviewBytes, out var preview)
            || !reader.TryReadRestText(MaxCaptionBytes, out var caption))
        {
            error = "truncated attachment reference, a field too long, or text that is not UTF-8";
            return false;
        }
        message = new AttachmentRef(new Guid(id), sentAt, kind, (long)size, sha, key, blob, duration, name, mime, waveform, preview, caption);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.Write(Id.ToByteArray());
        output.WriteUnixMs(SentAt);
        output.WriteU8(Kind);
        output.WriteU64((ulong)Size);
        output.Write(Sha256);
        output.Write(Key);
        output.Write(BlobId);
        output.WriteU32(DurationMs);
        output.WriteText8(Name, MaxNameBytes);
        output.WriteText8(Mime, MaxMimeBytes);
        output.WriteBlob8(Waveform.AsSpan(0, Math.Min(Waveform.Length, 255)));
        output.WriteBlob16(Preview);
        output.Write(PayloadText.Truncate(Caption, MaxCaptionBytes));
    }
}
