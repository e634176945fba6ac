using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>
/// The video library as the node runs it: requests from peers go to the <see cref="Owner"/>, replies
/// to the <see cref="Viewer"/>; at start the shared folder and its rules are loaded, at stop every
/// read, copy and play link ends. Its parts are reachable from here because the node, the API server
/// and the whole-node tests find the feature through <c>ParleyNode.Videos</c>.
/// </summary>
public sealed class VideoService(VideoSharing sharing, VideoOwner owner, VideoViewer viewer, PlayLinks playLinks, PlayerStreams streams)
    : IPeerFeature, INodeService
{
    public IReadOnlyList<FrameSpec> Frames => VideoFrames.Specs;

    public VideoSharing Sharing => sharing;

    public VideoOwner Owner => owner;

    public VideoViewer Viewer => viewer;

    public PlayLinks PlayLinks => playLinks;

    public PlayerStreams Streams => streams;

    public ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.VideoListRequest or FrameType.VideoRead or FrameType.VideoCancel or FrameType.VideoThumbnailRequest:
                return owner.OnRequestAsync(session, frame);
            case FrameType.VideoList or FrameType.VideoData or FrameType.VideoError or FrameType.VideoThumbnail:
                viewer.OnReply(session, frame);
                return ValueTask.CompletedTask;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        sharing.Thumbnails?.Start();
        return sharing.StartAsync();
    }

    public Task StopAsync()
    {
        owner.Stop();
        viewer.Stop();
        sharing.Thumbnails?.Stop();
        playLinks.StopAll();
        return Task.CompletedTask;
    }
}
