using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>
/// The owner's side: answers list requests with the catalog and read requests with at most
/// 256 KiB each (<c>VideoOwner.Reads.cs</c>), so it reads nothing a viewer did not ask for.
/// Every request is checked against <see cref="VideoSharing"/> first. A list reply costs far more
/// than its 10-byte request, so each peer has at most one being queued at a time, as a bulk frame
/// (the link's bulk queue holds a few, then the reply waits for the peer to read): a peer that asks
/// again meanwhile is refused as busy, and one that asks without reading stalls only itself. The
/// catalog is encoded once per scan, whoever asks.
/// </summary>
public sealed partial class VideoOwner(VideoSharing sharing, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Videos");
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, bool> _listing = new();
    private readonly Lock _encoding = new();
    private volatile SentCatalog? _sent;

    /// <summary>A scan's catalog and the encoding of the part of it that fits one frame.</summary>
    private sealed record SentCatalog(VideoCatalog Scanned, byte[] Encoded);

    /// <summary>A VideoListRequest, VideoRead, VideoCancel or VideoThumbnailRequest from an open session.</summary>
    internal ValueTask OnRequestAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.VideoListRequest:
                OnListRequest(session, frame.Read<VideoRequestId>().Request);
                break;
            case FrameType.VideoRead:
                OnRead(session, frame.Read<VideoRead>());
                break;
            case FrameType.VideoCancel:
                OnCancel(session, frame.Read<VideoRequestId>().Request);
                break;
            case FrameType.VideoThumbnailRequest:
                OnThumbnailRequest(session, frame.Read<VideoThumbnailRequest>());
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
        return ValueTask.CompletedTask;
    }

    private void OnListRequest(PeerSession session, uint request)
    {
        var link = session.Link;
        var refusal = sharing.Refusal(session.Id)
            ?? (_listing.TryAdd(link.Number, true) ? null : (VideoRefusal.Busy, "busy: a list is on its way"));
        if (refusal is { } refused)
        {
            link.TrySend(FrameType.VideoError, new VideoError(request, refused.Code, refused.Reason).ToArray());
            return;
        }
        // Off the link's receive loop: scanning and encoding take milliseconds, and the send waits for room.
        _ = Task.Run(() => SendListAsync(link, request));
    }

    /// <summary>Queues one list reply as a bulk frame, waiting while the peer has not read what is queued; then frees the peer's turn.</summary>
    private async Task SendListAsync(IPeerLink link, uint request)
    {
        try
        {
            var encoded = EncodedCatalog();
            var length = VideoRequestId.Size + encoded.Length;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            BinaryPrimitives.WriteUInt32BigEndian(buffer, request);
            encoded.CopyTo(buffer, VideoRequestId.Size);
            await link.SendBulkAsync(FrameType.VideoList, buffer, length, pooled: true, cancellationToken: _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
        finally
        {
            _listing.TryRemove(link.Number, out _);
        }
    }

    /// <summary>The catalog as sent (after its request ID), cut down and encoded once per scan, so a peer asking often costs little.</summary>
    private byte[] EncodedCatalog()
    {
        var catalog = sharing.OwnCatalog();
        if (_sent is { } known && ReferenceEquals(known.Scanned, catalog))
        {
            return known.Encoded;
        }
        lock (_encoding)
        {
            if (_sent is { } meanwhile && ReferenceEquals(meanwhile.Scanned, catalog))
            {
                return meanwhile.Encoded;
            }
            var fitted = catalog;
            var encoded = fitted.ToArray();
            // A catalog too big for one frame is cut down (names are long): fewer titles, marked truncated.
            while (encoded.Length > VideoCatalog.MaxSize && fitted.Titles.Count > 0)
            {
                fitted = new VideoCatalog([.. fitted.Titles.Take(fitted.Titles.Count / 2)], [], Truncated: true);
                encoded = fitted.ToArray();
            }
            _sent = new SentCatalog(catalog, encoded);
            return encoded;
        }
    }

    /// <summary>Stops every read being served (the node is stopping).</summary>
    internal void Stop() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
