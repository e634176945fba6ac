using System.Buffers.Binary;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>
/// FileDone: offer ID (16) | file index u32 | [count u16, when more than one]. The receiver has verified and
/// landed that file, or the <see cref="Count"/> files from it on (a bundle lands as one, and says so once).
/// </summary>
public readonly record struct FileDone(Guid OfferId, int FileIndex, int Count = 1) : IWireMessage<FileDone>
{
    public const int Size = FileWire.IdAndIndexSize;

    public static int MaxSize => Size + 2;

    public void Write(IBufferWriter<byte> output)
    {
        FileWire.WriteId(output, OfferId);
        FileWire.WriteInt32(output, FileIndex);
        if (Count > 1)
        {
            BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), (ushort)Count);
            output.Advance(2);
        }
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out FileDone message, out string error)
    {
        message = default;
        if (!FileWire.TryReadHead(payload, Size, MaxSize, "file done", out var reader, out var id, out var index, out error))
        {
            return false;
        }
        var count = 1;
        if (reader.Remaining > 0)
        {
            if (reader.Remaining != 2 || !reader.TryReadBigEndian(out short raw) || (ushort)raw < 2)
            {
                error = "file done has a bad count";
                return false;
            }
            count = (ushort)raw;
        }
        message = new FileDone(id, index, count);
        return true;
    }
}
