using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>
/// FileEnd: offer ID (16) | file index u32 | the file's <see cref="FileDigest"/> (32). Sent after a
/// file's last block, through the same bulk queue so it cannot overtake them.
/// </summary>
public sealed record FileEnd(Guid OfferId, int FileIndex, byte[] Digest) : IWireMessage<FileEnd>
{
    public const int Size = FileWire.IdAndIndexSize + 32;

    public static int MaxSize => Size;

    public void Write(IBufferWriter<byte> output)
    {
        FileWire.WriteId(output, OfferId);
        FileWire.WriteInt32(output, FileIndex);
        output.Write(Digest);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out FileEnd message, out string error)
    {
        message = null;
        if (!FileWire.TryReadHead(payload, Size, Size, "file end", out var reader, out var id, out var index, out error))
        {
            return false;
        }
        FileWire.TryReadHash(ref reader, out var digest);
        message = new FileEnd(id, index, digest);
        return true;
    }
}
