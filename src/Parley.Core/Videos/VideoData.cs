using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>
/// VideoData: the bytes of one <see cref="VideoRead"/>, exactly the range asked for.
/// <code>
/// request ID u32 | offset u64 | data (at most MaxData bytes)
/// </code>
/// <see cref="Data"/> of a message read from a frame points into the frame's buffer: copy it before the handler returns.
/// </summary>
public readonly record struct VideoData(uint Request, long Offset, ReadOnlySequence<byte> Data) : IWireMessage<VideoData>
{
    public const int HeaderSize = 12;

    /// <summary>Most bytes one read may ask for and one VideoData carry: 256 KiB, as a file block.</summary>
    public const int MaxData = 256 * 1024;

    public static int MaxSize => HeaderSize + MaxData;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out VideoData message, out string error)
    {
        message = default;
        if (payload.Length is < HeaderSize or > HeaderSize + MaxData)
        {
            error = $"video data of {payload.Length} bytes is shorter than its header or longer than a read";
            return false;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        payload.Slice(0, HeaderSize).CopyTo(header);
        message = new VideoData(BinaryPrimitives.ReadUInt32BigEndian(header), BinaryPrimitives.ReadInt64BigEndian(header[4..]), payload.Slice(HeaderSize));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        WriteHeader(output.GetSpan(HeaderSize), Request, Offset);
        output.Advance(HeaderSize);
        foreach (var segment in Data)
        {
            output.Write(segment.Span);
        }
    }

    /// <summary>
    /// The header alone, in front of data already in <paramref name="destination"/>: the owner reads
    /// a file range straight into a pooled buffer after the header, so 256 KiB are never copied.
    /// </summary>
    public static void WriteHeader(Span<byte> destination, uint request, long offset)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, request);
        BinaryPrimitives.WriteInt64BigEndian(destination[4..], offset);
    }
}
