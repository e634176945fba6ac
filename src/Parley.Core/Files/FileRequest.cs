using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>
/// FileRequest: offer ID (16) | file index u32 | offset u64. The receiver asks for "file i from
/// this offset on, then every later file"; a new request replaces the one before.
/// </summary>
public readonly record struct FileRequest(Guid OfferId, int FileIndex, long Offset) : IWireMessage<FileRequest>
{
    public const int Size = FileWire.IdAndIndexSize + 8;

    public static int MaxSize => Size;

    public void Write(IBufferWriter<byte> output)
    {
        FileWire.WriteId(output, OfferId);
        FileWire.WriteInt32(output, FileIndex);
        FileWire.WriteInt64(output, Offset);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out FileRequest message, out string error)
    {
        message = default;
        if (!FileWire.TryReadHead(payload, Size, Size, "file request", out var reader, out var id, out var index, out error)
            || !FileWire.TryReadOffset(ref reader, "file request", out var offset, out error))
        {
            return false;
        }
        message = new FileRequest(id, index, offset);
        return true;
    }
}
