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
        if (!FileWire.HasSize(payload, Size, "file done", out error))
        {
            return false;
        }
        var reader = new SequenceReader<byte>(payload);
        FileWire.TryReadId(ref reader, out var id);
        if (!FileWire.TryReadIndex(ref reader, out var index))
        {
            error = "file done has a negative index";
            return false;
        }
        message = new FileDone(id, index);
        return true;
    }
}
