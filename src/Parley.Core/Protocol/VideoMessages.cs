using System.Buffers;
using System.Buffers.Binary;

namespace Parley.Core.Protocol;

/// <summary>
/// VideoRead: request ID u32 | video ID (16, opaque, issued by the owner) | offset u64 | length u32
/// (1 to <see cref="VideoData.MaxData"/>). Answered by one VideoData or one VideoError.
/// </summary>
public readonly record struct VideoRead(uint Request, Guid Video, long Offset, int Length)
{
    public const int Size = 4 + 16 + 8 + 4;

    public byte[] Encode()
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Request);
        Video.TryWriteBytes(bytes.AsSpan(4));
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(20), Offset);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(28), Length);
        return bytes;
    }

    public static VideoRead Decode(ReadOnlySequence<byte> payload)
    {
        if (payload.Length != Size)
        {
            throw new ProtocolException($"video read of {payload.Length} bytes, expected {Size}");
        }
        Span<byte> bytes = stackalloc byte[Size];
        payload.CopyTo(bytes);
        var read = new VideoRead(BinaryPrimitives.ReadUInt32BigEndian(bytes), new Guid(bytes.Slice(4, 16)),
            BinaryPrimitives.ReadInt64BigEndian(bytes[20..]), BinaryPrimitives.ReadInt32BigEndian(bytes[28..]));
        return read.Offset < 0 || read.Length is < 1 or > VideoData.MaxData
            ? throw new ProtocolException($"video read of {read.Length} bytes at {read.Offset} is outside the limits")
            : read;
    }
}

/// <summary>VideoData: request ID u32 | offset u64 | data (at most <see cref="VideoData.MaxData"/>).</summary>
public static class VideoData
{
    public const int HeaderSize = 12;

    /// <summary>Largest data in one VideoData: 256 KiB (the size of a file block, which it was defined as).</summary>
    public const int MaxData = 256 * 1024;

    public static void WriteHeader(Span<byte> destination, uint request, long offset)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, request);
        BinaryPrimitives.WriteInt64BigEndian(destination[4..], offset);
    }

    public static (uint Request, long Offset, ReadOnlySequence<byte> Data) Decode(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < HeaderSize)
        {
            throw new ProtocolException($"video data of {payload.Length} bytes is shorter than its header");
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        payload.Slice(0, HeaderSize).CopyTo(header);
        return (BinaryPrimitives.ReadUInt32BigEndian(header), BinaryPrimitives.ReadInt64BigEndian(header[4..]), payload.Slice(HeaderSize));
    }
}

/// <summary>Why an owner refused a list or read request: the code a viewer acts on (the reason text is for people).</summary>
public enum VideoRefusal : byte
{
    Failed = 0,
    NotSharing = 1,
    NotShared = 2,
    UnknownVideo = 3,
    PastEnd = 4,
    Busy = 5,
}

/// <summary>
/// The small video frames: VideoListRequest and VideoCancel (request ID u32), VideoList (request
/// ID u32, then the owner's catalog as UTF-8 JSON) and VideoError (request ID u32, refusal code u8, reason UTF-8).
/// </summary>
public static class VideoMessages
{
    public static byte[] Request(uint request) => WithRequest(request, []);

    public static byte[] WithRequest(uint request, ReadOnlySpan<byte> body)
    {
        var bytes = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, request);
        body.CopyTo(bytes.AsSpan(4));
        return bytes;
    }

    public static byte[] Error(uint request, VideoRefusal code, string reason) =>
        WithRequest(request, [(byte)code, .. PayloadText.Truncate(reason, ProtocolLimits.MaxCloseReasonBytes)]);

    /// <summary>The request ID and the bytes after it.</summary>
    public static (uint Request, ReadOnlySequence<byte> Body) Split(ReadOnlySequence<byte> payload, FrameType type)
    {
        if (payload.Length < 4)
        {
            throw new ProtocolException($"{type} of {payload.Length} bytes has no request ID");
        }
        Span<byte> id = stackalloc byte[4];
        payload.Slice(0, 4).CopyTo(id);
        return (BinaryPrimitives.ReadUInt32BigEndian(id), payload.Slice(4));
    }

    /// <summary>A VideoError's code and reason; a code this version does not know reads as <see cref="VideoRefusal.Failed"/>.</summary>
    public static (VideoRefusal Code, string Reason) DecodeError(ReadOnlySequence<byte> body)
    {
        var bytes = body.ToArray();
        if (bytes.Length < 1 || !PayloadText.TryDecode(bytes.AsSpan(1), out var text))
        {
            throw new ProtocolException("video error without a code, or with a reason that is not UTF-8");
        }
        var code = (VideoRefusal)bytes[0];
        return (Enum.IsDefined(code) ? code : VideoRefusal.Failed, text);
    }
}
