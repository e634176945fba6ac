using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>
/// VideoRead: a viewer asks for one byte range of a shared file. Answered by one VideoData or one VideoError.
/// <code>
/// request ID u32 | video ID (16, opaque, issued by the owner) | offset u64 | length u32 (1 to VideoData.MaxData)
/// </code>
/// The video ID is written as <see cref="Guid.TryWriteBytes(Span{byte})"/> writes it (the owner issued it, only it reads it).
/// </summary>
public readonly record struct VideoRead(uint Request, Guid Video, long Offset, int Length) : IWireMessage<VideoRead>
{
    public const int Size = 4 + 16 + 8 + 4;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out VideoRead message, out string error)
    {
        message = default;
        if (payload.Length != Size)
        {
            error = $"video read of {payload.Length} bytes, expected {Size}";
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size];
        payload.CopyTo(bytes);
        var read = new VideoRead(BinaryPrimitives.ReadUInt32BigEndian(bytes), new Guid(bytes.Slice(4, 16)),
            BinaryPrimitives.ReadInt64BigEndian(bytes[20..]), BinaryPrimitives.ReadInt32BigEndian(bytes[28..]));
        if (read.Offset < 0 || read.Length is < 1 or > VideoData.MaxData)
        {
            error = $"video read of {read.Length} bytes at {read.Offset} is outside the limits";
            return false;
        }
        message = read;
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var bytes = output.GetSpan(Size);
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Request);
        Video.TryWriteBytes(bytes[4..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes[20..], Offset);
        BinaryPrimitives.WriteInt32BigEndian(bytes[28..], Length);
        output.Advance(Size);
    }
}
