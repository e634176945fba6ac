using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Parley.Core.Protocol;

/// <summary>One file of an offer: a relative path with '/' separators (untrusted until sanitized) and its size.</summary>
public sealed record OfferEntry(string Path, long Size);

/// <summary>
/// FileOffer: offer ID (16) | file count u32 | total size u64 | per file: size u64, path length u16, path (UTF-8).
/// The counts must agree with the entries; at most <see cref="ProtocolLimits.MaxOfferFiles"/> files.
/// </summary>
public sealed record FileOffer(Guid OfferId, IReadOnlyList<OfferEntry> Files)
{
    public long TotalSize => Files.Sum(f => f.Size);

    public byte[] Encode()
    {
        var size = 16 + 4 + 8 + Files.Sum(f => 8 + 2 + Encoding.UTF8.GetByteCount(f.Path));
        if (Files.Count > ProtocolLimits.MaxOfferFiles || size > ProtocolLimits.MaxPayload)
        {
            throw new ArgumentException($"an offer holds at most {ProtocolLimits.MaxOfferFiles:N0} files and {ProtocolLimits.MaxPayload / 1024} KiB of names; send fewer at a time");
        }
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        OfferId.TryWriteBytes(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], (uint)Files.Count);
        BinaryPrimitives.WriteInt64BigEndian(span[20..], TotalSize);
        var at = 28;
        foreach (var file in Files)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[at..], file.Size);
            var length = Encoding.UTF8.GetBytes(file.Path, span[(at + 10)..]);
            BinaryPrimitives.WriteUInt16BigEndian(span[(at + 8)..], (ushort)length);
            at += 10 + length;
        }
        return buffer;
    }

    public static bool TryDecode(ReadOnlySequence<byte> payload, out FileOffer? offer, out string error)
    {
        offer = null;
        var reader = new SequenceReader<byte>(payload);
        Span<byte> id = stackalloc byte[16];
        if (!reader.TryCopyTo(id))
        {
            error = "offer header is truncated";
            return false;
        }
        reader.Advance(16);
        if (!reader.TryReadBigEndian(out int count) || !reader.TryReadBigEndian(out long total))
        {
            error = "offer header is truncated";
            return false;
        }
        if (count < 0 || count > ProtocolLimits.MaxOfferFiles)
        {
            error = $"offer of {(uint)count:N0} files is over the limit of {ProtocolLimits.MaxOfferFiles:N0}";
            return false;
        }
        // Each entry takes at least 10 bytes, so a count the payload cannot hold is refused before allocating for it.
        if (reader.Remaining < 10L * count)
        {
            error = "offer lists more files than it holds";
            return false;
        }
        var files = new List<OfferEntry>(count);
        long sum = 0;
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadBigEndian(out long size) || !reader.TryReadBigEndian(out short rawLength))
            {
                error = "offer entry is truncated";
                return false;
            }
            var length = (ushort)rawLength;
            if (size < 0 || length == 0 || length > ProtocolLimits.MaxPathBytes || reader.Remaining < length)
            {
                error = $"offer entry {i} has a bad size or name length";
                return false;
            }
            var bytes = reader.UnreadSequence.Slice(0, length).ToArray();
            reader.Advance(length);
            if (!PayloadText.TryDecode(bytes, out var path))
            {
                error = $"offer entry {i} name is not valid UTF-8";
                return false;
            }
            sum += size;
            if (sum < 0)
            {
                error = "offer sizes overflow";
                return false;
            }
            files.Add(new OfferEntry(path, size));
        }
        if (reader.Remaining != 0 || sum != total)
        {
            error = reader.Remaining != 0 ? "offer has bytes after its last entry" : $"offer total {total} does not match its files ({sum})";
            return false;
        }
        offer = new FileOffer(new Guid(id), files);
        error = "";
        return true;
    }
}

/// <summary>The fixed part of a FileBlock: offer ID (16) | file index u32 | offset u64 | SHA-256 of the data (32); then the data.</summary>
public readonly record struct FileBlockHeader(Guid OfferId, int FileIndex, long Offset, byte[] Hash)
{
    public const int Size = 16 + 4 + 8 + 32;

    public void Write(Span<byte> destination)
    {
        OfferId.TryWriteBytes(destination);
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], FileIndex);
        BinaryPrimitives.WriteInt64BigEndian(destination[20..], Offset);
        Hash.CopyTo(destination[28..]);
    }

    /// <summary>Splits a FileBlock payload into its header and its data (a slice, not a copy).</summary>
    public static bool TryDecode(ReadOnlySequence<byte> payload, out FileBlockHeader header, out ReadOnlySequence<byte> data)
    {
        header = default;
        data = default;
        if (payload.Length < Size)
        {
            return false;
        }
        Span<byte> fixedPart = stackalloc byte[Size];
        payload.Slice(0, Size).CopyTo(fixedPart);
        var index = BinaryPrimitives.ReadInt32BigEndian(fixedPart[16..]);
        var offset = BinaryPrimitives.ReadInt64BigEndian(fixedPart[20..]);
        if (index < 0 || offset < 0)
        {
            return false;
        }
        header = new FileBlockHeader(new Guid(fixedPart[..16]), index, offset, fixedPart[28..].ToArray());
        data = payload.Slice(Size);
        return true;
    }
}

/// <summary>
/// The small transfer frames, all starting with the offer ID: OfferAnswer (accepted u8, reason),
/// FileRequest (file index u32, offset u64: "send from here on, then every later file"),
/// FileEnd (file index u32, whole-file SHA-256), FileDone (file index u32), TransferCancel (reason).
/// </summary>
public static class TransferMessages
{
    public static byte[] Answer(Guid offer, bool accepted, string reason)
    {
        var text = PayloadText.Truncate(reason, ProtocolLimits.MaxCloseReasonBytes);
        var buffer = new byte[17 + text.Length];
        offer.TryWriteBytes(buffer);
        buffer[16] = accepted ? (byte)1 : (byte)0;
        text.CopyTo(buffer, 17);
        return buffer;
    }

    public static byte[] Request(Guid offer, int fileIndex, long offset) => IndexAnd(offer, fileIndex, 8, s => BinaryPrimitives.WriteInt64BigEndian(s, offset));

    public static byte[] End(Guid offer, int fileIndex, byte[] hash) => IndexAnd(offer, fileIndex, 32, hash.CopyTo);

    public static byte[] Done(Guid offer, int fileIndex) => IndexAnd(offer, fileIndex, 0, _ => { });

    public static byte[] Cancel(Guid offer, string reason)
    {
        var text = PayloadText.Truncate(reason, ProtocolLimits.MaxCloseReasonBytes);
        var buffer = new byte[16 + text.Length];
        offer.TryWriteBytes(buffer);
        text.CopyTo(buffer, 16);
        return buffer;
    }

    private static byte[] IndexAnd(Guid offer, int fileIndex, int extra, SpanAction write)
    {
        var buffer = new byte[20 + extra];
        offer.TryWriteBytes(buffer);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(16), fileIndex);
        write(buffer.AsSpan(20));
        return buffer;
    }

    private delegate void SpanAction(Span<byte> span);

    /// <summary>Reads the offer ID, and the file index when the frame has one; the rest is returned as bytes.</summary>
    public static bool TryDecode(ReadOnlySequence<byte> payload, bool hasIndex, int fixedRest, out Guid offer, out int fileIndex, out byte[] rest)
    {
        offer = default;
        fileIndex = 0;
        rest = [];
        var head = hasIndex ? 20 : 16;
        if (payload.Length < head + fixedRest || (fixedRest > 0 && payload.Length != head + fixedRest))
        {
            return false;
        }
        var bytes = payload.ToArray();
        offer = new Guid(bytes.AsSpan(0, 16));
        if (hasIndex)
        {
            fileIndex = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
            if (fileIndex < 0)
            {
                return false;
            }
        }
        rest = bytes[head..];
        return true;
    }
}
