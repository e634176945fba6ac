using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>The frames of the video library: listing a peer's videos and reading byte ranges.</summary>
public static class VideoFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        new(FrameType.VideoListRequest, 4),
        new(FrameType.VideoCancel, 4),
        new(FrameType.VideoList, ProtocolLimits.MaxPayload),
        new(FrameType.VideoRead, VideoRead.Size),
        new(FrameType.VideoData, VideoData.HeaderSize + VideoData.MaxData),
        new(FrameType.VideoError, 4 + 1 + ProtocolLimits.MaxCloseReasonBytes),
    ];
}
