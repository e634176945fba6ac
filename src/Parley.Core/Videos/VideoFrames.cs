using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>The frames of the video library: listing a peer's videos, reading byte ranges and fetching poster frames. Each cap is its message's own.</summary>
public static class VideoFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        FrameSpec.Of<VideoRequestId>(FrameType.VideoListRequest),
        FrameSpec.Of<VideoRequestId>(FrameType.VideoCancel),
        FrameSpec.Of<VideoList>(FrameType.VideoList),
        FrameSpec.Of<VideoRead>(FrameType.VideoRead),
        FrameSpec.Of<VideoData>(FrameType.VideoData),
        FrameSpec.Of<VideoError>(FrameType.VideoError),
        FrameSpec.Of<VideoThumbnailRequest>(FrameType.VideoThumbnailRequest),
        FrameSpec.Of<VideoThumbnail>(FrameType.VideoThumbnail),
    ];
}
