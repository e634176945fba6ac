using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>What else an offer entry is: an executable file, or an empty folder (size 0) to be made as the sender has it.</summary>
[Flags]
public enum OfferFlags : byte
{
    None = 0,
    Executable = 1,
    Folder = 2,
}

/// <summary>
/// One entry of an offer: a relative path with '/' separators (untrusted until sanitized), its size, its
/// modification time (Unix milliseconds; 0 when unknown) and flags, restored on landing as tar and rsync do.
/// </summary>
public sealed record OfferEntry(string Path, long Size, long Modified = 0, OfferFlags Flags = OfferFlags.None)
{
    public bool IsFolder => (Flags & OfferFlags.Folder) != 0;
}

/// <summary>
/// FileOffer: offer ID (16) | file count u32 | total size u64 | per entry: size u64, modified i64 (Unix ms),
/// flags u8 (<see cref="OfferFlags"/>), path length u16, path (UTF-8). A folder entry has size 0.
/// The counts must agree with the entries; at most <see cref="MaxFiles"/> files, each path at most
/// <see cref="MaxPathBytes"/>, and the whole within one frame.
/// </summary>
public sealed record FileOffer(Guid OfferId, IReadOnlyList<OfferEntry> Files) : IWireMessage<FileOffer>
{
    /// <summary>Most files in one offer; a bigger send must be split. 100,000.</summary>
    public const int MaxFiles = 100_000;

    /// <summary>Longest relative path in an offer, in UTF-8 bytes. 4,096.</summary>
    public const int MaxPathBytes = 4096;

    private const int HeadSize = FileWire.IdSize + 4 + 8;
    private const int EntryHeadSize = 8 + 8 + 1 + 2;

    /// <summary>An offer may fill a whole frame (its names are most of it).</summary>
    public static int MaxSize => ProtocolLimits.MaxPayload;

    public long TotalSize => Files.Sum(f => f.Size);

    /// <summary>Why this offer cannot go out in one frame, or null when it can: the sender splits the send then.</summary>
    public string? WhyTooLarge()
    {
        var size = HeadSize + Files.Sum(f => EntryHeadSize + Encoding.UTF8.GetByteCount(f.Path));
        return Files.Count > MaxFiles || size > MaxSize || Files.Any(f => Encoding.UTF8.GetByteCount(f.Path) > MaxPathBytes)
            ? $"an offer holds at most {MaxFiles:N0} files and {MaxSize / 1024} KiB of names; send fewer at a time"
            : null;
    }

    public void Write(IBufferWriter<byte> output)
    {
        if (WhyTooLarge() is { } reason)
        {
            throw new ArgumentException(reason);
        }
        FileWire.WriteId(output, OfferId);
        FileWire.WriteInt32(output, Files.Count);
        FileWire.WriteInt64(output, TotalSize);
        foreach (var file in Files)
        {
            FileWire.WriteInt64(output, file.Size);
            FileWire.WriteInt64(output, file.Modified);
            output.GetSpan(1)[0] = (byte)file.Flags;
            output.Advance(1);
            var span = output.GetSpan(2 + MaxPathBytes);
            var length = Encoding.UTF8.GetBytes(file.Path, span[2..]);
            BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
            output.Advance(2 + length);
        }
    }

    /// <summary>Only the offer ID, so that an offer that does not read can still be refused by its ID.</summary>
    public static bool TryReadId(in ReadOnlySequence<byte> payload, out Guid offerId)
    {
        var reader = new SequenceReader<byte>(payload);
        return FileWire.TryReadId(ref reader, out offerId);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out FileOffer message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!FileWire.TryReadId(ref reader, out var id) || !reader.TryReadBigEndian(out int count) || !reader.TryReadBigEndian(out long total))
        {
            error = "offer header is truncated";
            return false;
        }
        if (count is < 0 or > MaxFiles)
        {
            error = $"offer of {(uint)count:N0} files is over the limit of {MaxFiles:N0}";
            return false;
        }
        // Each entry takes at least 19 bytes, so a count the payload cannot hold is refused before allocating for it.
        if (reader.Remaining < (long)EntryHeadSize * count)
        {
            error = "offer lists more files than it holds";
            return false;
        }
        var files = new List<OfferEntry>(count);
        long sum = 0;
        for (var i = 0; i < count; i++)
        {
            if (!TryReadEntry(ref reader, i, out var entry, out error))
            {
                return false;
            }
            sum += entry.Size;
            if (sum < 0)
            {
                error = "offer sizes overflow";
                return false;
            }
            files.Add(entry);
        }
        if (reader.Remaining != 0 || sum != total)
        {
            error = reader.Remaining != 0 ? "offer has bytes after its last entry" : $"offer total {total} does not match its files ({sum})";
            return false;
        }
        message = new FileOffer(id, files);
        error = "";
        return true;
    }

    private static bool TryReadEntry(ref SequenceReader<byte> reader, int index, [MaybeNullWhen(false)] out OfferEntry entry, out string error)
    {
        entry = null;
        if (!reader.TryReadBigEndian(out long size) || !reader.TryReadBigEndian(out long modified) || !reader.TryRead(out var rawFlags)
            || !reader.TryReadBigEndian(out short rawLength))
        {
            error = "offer entry is truncated";
            return false;
        }
        var length = (ushort)rawLength;
        var flags = (OfferFlags)rawFlags;
        if (size < 0 || length == 0 || length > MaxPathBytes || reader.Remaining < length)
        {
            error = $"offer entry {index} has a bad size or name length";
            return false;
        }
        if ((flags & ~(OfferFlags.Executable | OfferFlags.Folder)) != 0 || (flags.HasFlag(OfferFlags.Folder) && size != 0))
        {
            error = $"offer entry {index} has unknown flags or is a folder with a size";
            return false;
        }
        Span<byte> bytes = stackalloc byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        if (!PayloadText.TryDecode(bytes, out var path))
        {
            error = $"offer entry {index} name is not valid UTF-8";
            return false;
        }
        entry = new OfferEntry(path, size, modified, flags);
        error = "";
        return true;
    }
}
