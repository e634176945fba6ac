using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>
/// VideoThumbnail: the owner's answer to a VideoThumbnailRequest, a JPEG poster frame.
/// <code>
/// request ID u32 | JPEG bytes (1 to MaxBytes)
/// </code>
/// The bytes are untrusted and never decoded by a node: the viewer checks their hash against the ID it
/// asked for and hands them to the page as <c>image/jpeg</c> only. <see cref="Jpeg"/> of a message read
/// from a frame points into the frame's buffer: copy it before the handler returns.
/// </summary>
public readonly record struct VideoThumbnail(uint Request, ReadOnlySequence<byte> Jpeg) : IWireMessage<VideoThumbnail>
{
    /// <summary>Largest poster frame: 24 KiB (a 320-pixel JPEG is 8–20 KiB; the owner lowers the quality to fit).</summary>
    public const int MaxBytes = 24 * 1024;

    public static int MaxSize => VideoRequestId.Size + MaxBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out VideoThumbnail message, out string error)
    {
        message = default;
        if (payload.Length is <= VideoRequestId.Size or > VideoRequestId.Size + MaxBytes || !VideoRequestId.TryReadRequest(payload, out var request))
        {
            error = $"video thumbnail of {payload.Length} bytes is empty or over {MaxBytes} bytes";
            return false;
        }
        message = new VideoThumbnail(request, payload.Slice(VideoRequestId.Size));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        VideoRequestId.WriteRequest(output, Request);
        foreach (var segment in Jpeg)
        {
            output.Write(segment.Span);
        }
    }
}
