using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>One file of a bundle: its whole length and the SHA-256 of its bytes.</summary>
public readonly record struct BundledFile(int Length, byte[] Hash);

/// <summary>
/// FileBundle: offer ID (16) | first file index u32 | count u16 | per file: length u32, SHA-256 (32) | the
/// files' bytes, one after another. Consecutive small files of an offer, each whole (at most
/// <see cref="MaxFileBytes"/>), at most <see cref="MaxFiles"/> of them and <see cref="FileBlock.MaxData"/>
/// bytes in all: one frame, one hash check and one landing for many files where each used to take a block,
/// an end and their round of wake-ups. A file's hash is also its whole-file digest's only block.
/// <see cref="Data"/> is a slice of the frame's payload, valid only while the frame is.
/// </summary>
public readonly record struct FileBundle(Guid OfferId, int FirstIndex, IReadOnlyList<BundledFile> Files, ReadOnlySequence<byte> Data)
    : IWireMessage<FileBundle>
{
    /// <summary>
    /// Largest file a bundle may carry (what a receiver accepts): a block's worth, 256 KiB. Which files a sender
    /// bundles is its own choice below this (<c>BundleSender.CutOffBytes</c>, 16 KiB by measurement).
    /// </summary>
    public const int MaxFileBytes = FileBlock.MaxData;

    /// <summary>Most files in one bundle: 256, as many as one landing syncs at once.</summary>
    public const int MaxFiles = 256;

    public const int HeadSize = FileWire.IdAndIndexSize + 2;
    public const int EntrySize = 4 + 32;

    public static int MaxSize => HeadSize + MaxFiles * EntrySize + FileBlock.MaxData;

    /// <summary>Writes a bundle's head and entries; the caller appends the files' bytes in the same order.</summary>
    public static void WriteHead(Span<byte> destination, Guid offerId, int firstIndex, IReadOnlyList<BundledFile> files)
    {
        offerId.TryWriteBytes(destination);
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], firstIndex);
        BinaryPrimitives.WriteUInt16BigEndian(destination[20..], (ushort)files.Count);
        var at = HeadSize;
        foreach (var file in files)
        {
            BinaryPrimitives.WriteInt32BigEndian(destination[at..], file.Length);
            file.Hash.CopyTo(destination[(at + 4)..]);
            at += EntrySize;
        }
    }

    public void Write(IBufferWriter<byte> output)
    {
        var head = HeadSize + Files.Count * EntrySize;
        WriteHead(output.GetSpan(head), OfferId, FirstIndex, Files);
        output.Advance(head);
        foreach (var segment in Data)
        {
            output.Write(segment.Span);
        }
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out FileBundle message, out string error)
    {
        message = default;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length > MaxSize || !FileWire.TryReadId(ref reader, out var id) || !FileWire.TryReadIndex(ref reader, out var first)
            || !reader.TryReadBigEndian(out short rawCount))
        {
            error = "file bundle head is truncated or too long";
            return false;
        }
        var count = (ushort)rawCount;
        // The entries are checked against the payload before anything is allocated for them.
        if (count is 0 or > MaxFiles || reader.Remaining < (long)count * EntrySize)
        {
            error = $"file bundle of {count} files is empty, over {MaxFiles}, or shorter than its entries";
            return false;
        }
        var files = new BundledFile[count];
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            reader.TryReadBigEndian(out int length);
            FileWire.TryReadHash(ref reader, out var hash);
            if (length is < 0 or > MaxFileBytes)
            {
                error = $"file {first + i} of a bundle claims {length} bytes (at most {MaxFileBytes})";
                return false;
            }
            files[i] = new BundledFile(length, hash);
            total += length;
        }
        if (total != reader.Remaining || total > FileBlock.MaxData)
        {
            error = $"file bundle holds {reader.Remaining} bytes but its files claim {total}";
            return false;
        }
        message = new FileBundle(id, first, files, reader.UnreadSequence);
        error = "";
        return true;
    }
}
