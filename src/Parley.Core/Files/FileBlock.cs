using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>The fixed part of a FileBlock: offer ID (16) | file index u32 | offset u64 | SHA-256 of the data (32).</summary>
public readonly record struct FileBlockHeader(Guid OfferId, int FileIndex, long Offset, byte[] Hash)
{
    public const int Size = FileWire.IdAndIndexSize + 8 + 32;

    /// <summary>
    /// Writes the header in front of data already in place: the sender reads each block from disk
    /// straight into a pooled frame buffer after <see cref="Size"/> bytes, so the block is never copied.
    /// </summary>
    public void Write(Span<byte> destination)
    {
        OfferId.TryWriteBytes(destination);
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], FileIndex);
        BinaryPrimitives.WriteInt64BigEndian(destination[20..], Offset);
        Hash.CopyTo(destination[28..]);
    }
}

/// <summary>
/// FileBlock: <see cref="FileBlockHeader"/> (60) | data (at most <see cref="MaxData"/>). Blocks of a
/// file go in order from offset 0 (or the offset asked for), each <see cref="MaxData"/> long but the last.
/// <see cref="Data"/> is a slice of the frame's payload, valid only while the frame is.
/// </summary>
public readonly record struct FileBlock(FileBlockHeader Header, ReadOnlySequence<byte> Data) : IWireMessage<FileBlock>
{
    /// <summary>Largest file data in one block: 256 KiB. Also the unit of resume and of <see cref="FileDigest"/>.</summary>
    public const int MaxData = 256 * 1024;

    public static int MaxSize => FileBlockHeader.Size + MaxData;

    public void Write(IBufferWriter<byte> output)
    {
        Header.Write(output.GetSpan(FileBlockHeader.Size));
        output.Advance(FileBlockHeader.Size);
        foreach (var segment in Data)
        {
            output.Write(segment.Span);
        }
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out FileBlock message, out string error)
    {
        message = default;
        if (!FileWire.TryReadHead(payload, FileBlockHeader.Size, MaxSize, "file block", out var reader, out var id, out var index, out error)
            || !FileWire.TryReadOffset(ref reader, "file block", out var offset, out error))
        {
            return false;
        }
        FileWire.TryReadHash(ref reader, out var hash);
        message = new FileBlock(new FileBlockHeader(id, index, offset, hash), reader.UnreadSequence);
        return true;
    }
}
