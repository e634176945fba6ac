using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>
/// VideoListRequest and VideoCancel: request ID u32, nothing else. A viewer numbers its requests;
/// the owner echoes the number in its reply, and a cancel names the read to stop.
/// </summary>
public readonly record struct VideoRequestId(uint Request) : IWireMessage<VideoRequestId>
{
    public const int Size = 4;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out VideoRequestId message, out string error)
    {
        if (payload.Length != Size || !TryReadRequest(payload, out var request))
        {
            message = default;
            error = $"{payload.Length} bytes where a request ID of {Size} was expected";
            return false;
        }
        message = new VideoRequestId(request);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output) => WriteRequest(output, Request);

    /// <summary>The request ID every video frame starts with; false when the payload is shorter.</summary>
    internal static bool TryReadRequest(in ReadOnlySequence<byte> payload, out uint request)
    {
        Span<byte> bytes = stackalloc byte[Size];
        if (payload.Length < Size)
        {
            request = 0;
            return false;
        }
        payload.Slice(0, Size).CopyTo(bytes);
        request = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    internal static void WriteRequest(IBufferWriter<byte> output, uint request)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(Size), request);
        output.Advance(Size);
    }
}
