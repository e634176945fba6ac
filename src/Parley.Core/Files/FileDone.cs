using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>FileDone: offer ID (16) | file index u32. The receiver has verified and landed that file.</summary>
public readonly record struct FileDone(Guid OfferId, int FileIndex) : IWireMessage<FileDone>
{
    public const int Size = FileWire.IdAndIndexSize;

    public static int MaxSize => Size;

    public void Write(IBufferWriter<byte> output)
    {
        FileWire.WriteId(output, OfferId);
        FileWire.WriteInt32(output, FileIndex);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out FileDone message, out string error)
    {
        message = default;
        if (!FileWire.TryReadHead(payload, Size, Size, "file done", out _, out var id, out var index, out error))
        {
            return false;
        }
        message = new FileDone(id, index);
        return true;
    }
}
