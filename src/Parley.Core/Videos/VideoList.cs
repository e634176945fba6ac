using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>
/// VideoList: the owner's answer to a VideoListRequest.
/// <code>
/// request ID u32 | catalog (UTF-8 JSON, see <see cref="VideoCatalog"/>)
/// </code>
/// </summary>
public sealed record VideoList(uint Request, VideoCatalog Catalog) : IWireMessage<VideoList>
{
    public static int MaxSize => VideoRequestId.Size + VideoCatalog.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out VideoList message, out string error)
    {
        message = null;
        if (payload.Length > MaxSize || !VideoRequestId.TryReadRequest(payload, out var request))
        {
            error = $"video list of {payload.Length} bytes has no request ID or is too long";
            return false;
        }
        if (!VideoCatalog.TryRead(payload.Slice(VideoRequestId.Size), out var catalog, out error))
        {
            return false;
        }
        message = new VideoList(request, catalog);
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        VideoRequestId.WriteRequest(output, Request);
        Catalog.Write(output);
    }
}
