using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>Replies arriving for the viewer's requests; one nobody waits for (late, cancelled, forged or from another link) is dropped.</summary>
public sealed partial class VideoViewer
{
    /// <summary>A VideoList, VideoData, VideoThumbnail or VideoError from an open session.</summary>
    internal void OnReply(PeerSession session, Frame frame)
    {
        var link = session.Link.Number;
        switch (frame.Type)
        {
            case FrameType.VideoList:
                var list = frame.Read<VideoList>();
                _lists.TryComplete((link, list.Request), list.Catalog);
                break;
            case FrameType.VideoData:
                var data = frame.Read<VideoData>();
                var chunk = VideoChunk.CopyOf(data);
                if (!_reads.TryComplete((link, data.Request), chunk))
                {
                    chunk.Dispose();
                }
                break;
            case FrameType.VideoThumbnail:
                var thumbnail = frame.Read<VideoThumbnail>();
                _thumbnails.TryComplete((link, thumbnail.Request), System.Buffers.BuffersExtensions.ToArray(thumbnail.Jpeg));
                break;
            case FrameType.VideoError:
                var error = frame.Read<VideoError>();
                var refused = new VideoRefusedException(error);
                _ = _lists.Fail((link, error.Request), refused) || _reads.Fail((link, error.Request), refused) || _thumbnails.Fail((link, error.Request), refused);
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
    }
}
