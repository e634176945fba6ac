using System.Buffers;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>Serving poster frames: only those the latest catalog names, each counted as a read in flight for the peer's limit.</summary>
public sealed partial class VideoOwner
{
    private void OnThumbnailRequest(PeerSession session, VideoThumbnailRequest asked)
    {
        var link = session.Link;
        var refusal = sharing.Refusal(session.Id)
            ?? (sharing.Library?.ListsThumbnail(asked.Thumbnail) is true ? null : (VideoRefusal.UnknownVideo, "no thumbnail with this ID is shared here"));
        if (refusal is null && _readsPerLink.AddOrUpdate(link.Number, 1, (_, n) => n + 1) > MaxReadsPerPeer)
        {
            ReleaseSlot(link.Number);
            refusal = (VideoRefusal.Busy, $"busy: more than {MaxReadsPerPeer} reads in flight");
        }
        if (refusal is { } refused)
        {
            link.TrySend(FrameType.VideoError, new VideoError(asked.Request, refused.Code, refused.Reason).ToArray());
            return;
        }
        _ = Task.Run(() => ServeThumbnailAsync(link, asked));
    }

    /// <summary>Reads the frame from the owner's cache and queues it as a bulk frame; always gives the slot back.</summary>
    private async Task ServeThumbnailAsync(IPeerLink link, VideoThumbnailRequest asked)
    {
        try
        {
            if (sharing.Thumbnails?.Read(asked.Thumbnail) is not { } jpeg)
            {
                link.TrySend(FrameType.VideoError, new VideoError(asked.Request, VideoRefusal.UnknownVideo, "this thumbnail is gone (list the library again)").ToArray());
                return;
            }
            var frame = new VideoThumbnail(asked.Request, new ReadOnlySequence<byte>(jpeg)).ToArray();
            await link.SendBulkAsync(FrameType.VideoThumbnail, frame, cancellationToken: _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
        finally
        {
            ReleaseSlot(link.Number);
        }
    }
}
