using Microsoft.Extensions.Logging;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>
/// The owner's side: answers list requests with the catalog and read requests with at most
/// 256 KiB each (<c>VideoOwner.Reads.cs</c>), so it reads nothing a viewer did not ask for.
/// Every request is checked against <see cref="VideoSharing"/> first.
/// </summary>
public sealed partial class VideoOwner(VideoSharing sharing, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Videos");
    private readonly CancellationTokenSource _stopping = new();
    private volatile SentCatalog? _sent;

    /// <summary>A scan's catalog and the part of it that fits one frame.</summary>
    private sealed record SentCatalog(VideoCatalog Scanned, VideoCatalog Fitted);

    /// <summary>A VideoListRequest, VideoRead or VideoCancel from an open session.</summary>
    internal ValueTask OnRequestAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.VideoListRequest:
                return OnListRequestAsync(session, frame.Read<VideoRequestId>().Request);
            case FrameType.VideoRead:
                OnRead(session, frame.Read<VideoRead>());
                break;
            case FrameType.VideoCancel:
                OnCancel(session, frame.Read<VideoRequestId>().Request);
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask OnListRequestAsync(PeerSession session, uint request)
    {
        if (sharing.Refusal(session.Id) is { } refusal)
        {
            session.Link.TrySend(FrameType.VideoError, new VideoError(request, refusal.Code, refusal.Reason).ToArray());
            return;
        }
        // Encoding a large catalog takes milliseconds: off the link's receive loop.
        var list = await Task.Run(() => new VideoList(request, FittedCatalog()).ToArray()).ConfigureAwait(false);
        session.Link.TrySend(FrameType.VideoList, list);
    }

    /// <summary>The catalog as sent, cut down once per scan (so a peer asking often costs little).</summary>
    private VideoCatalog FittedCatalog()
    {
        var catalog = sharing.OwnCatalog();
        if (_sent is { } known && ReferenceEquals(known.Scanned, catalog))
        {
            return known.Fitted;
        }
        var fitted = catalog;
        // A catalog too big for one frame is cut down (names are long): fewer titles, marked truncated.
        while (fitted.ToArray().Length > VideoCatalog.MaxSize && fitted.Titles.Count > 0)
        {
            fitted = new VideoCatalog([.. fitted.Titles.Take(fitted.Titles.Count / 2)], [], Truncated: true);
        }
        _sent = new SentCatalog(catalog, fitted);
        return fitted;
    }

    /// <summary>Stops every read being served (the node is stopping).</summary>
    internal void Stop() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
