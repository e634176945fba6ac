using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Videos;

public sealed partial class VideoService
{
    /// <summary>Most reads one peer may have in flight; more are refused as busy (a viewer needs a few dozen at most).</summary>
    public const int MaxReadsPerPeer = 64;

    private readonly ConcurrentDictionary<(long Link, uint Request), CancellationTokenSource> _reads = new();
    private volatile SentCatalog? _sent;

    private sealed record SentCatalog(VideoCatalog Catalog, byte[] Json);
    private readonly ConcurrentDictionary<long, int> _readsPerLink = new();
    private long _bytesServed;
    private int _activeReads;
    private int _peakReads;

    /// <summary>Bytes of shared files sent to viewers since start.</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    /// <summary>Reads being carried out now, and the most there have been at once.</summary>
    public (int Active, int Peak) Reads => (Volatile.Read(ref _activeReads), Volatile.Read(ref _peakReads));

    private async ValueTask OnListRequestAsync(PeerSession session, Frame frame)
    {
        var (request, _) = VideoMessages.Split(frame.Payload, frame.Type);
        if (Refusal(session) is { } refusal)
        {
            session.Link.TrySend(FrameType.VideoError, VideoMessages.Error(request, refusal.Code, refusal.Reason));
            return;
        }
        session.Link.TrySend(FrameType.VideoList, VideoMessages.WithRequest(request, await Task.Run(CatalogJson).ConfigureAwait(false)));
    }

    /// <summary>Why this peer gets nothing, or null when it may list and read.</summary>
    private (VideoRefusal Code, string Reason)? Refusal(PeerSession session) =>
        _library is null ? (VideoRefusal.NotSharing, "is not sharing videos")
        : MayWatch(session.Id) ? null : (VideoRefusal.NotShared, "has not shared videos with you");

    /// <summary>The catalog as sent, encoded once per scan (so a peer asking often costs little).</summary>
    private byte[] CatalogJson()
    {
        var catalog = _library?.Catalog() ?? VideoCatalog.Empty;
        if (_sent is { } known && ReferenceEquals(known.Catalog, catalog))
        {
            return known.Json;
        }
        var sent = catalog;
        var json = sent.Encode();
        // A catalog too big for one frame is cut down (names are long): fewer titles, marked truncated.
        while (json.Length > ProtocolLimits.MaxPayload - 4 && sent.Titles.Count > 0)
        {
            sent = new VideoCatalog([.. sent.Titles.Take(sent.Titles.Count / 2)], [], Truncated: true);
            json = sent.Encode();
        }
        _sent = new SentCatalog(catalog, json);
        return json;
    }

    private void OnRead(PeerSession session, Frame frame)
    {
        var read = VideoRead.Decode(frame.Payload);
        var link = session.Link;
        var file = _library?.Find(read.Video);
        var refusal = Refusal(session)
            ?? (file is null ? (VideoRefusal.UnknownVideo, "no video with this ID is shared here (list the library again)")
            : read.Offset + read.Length > file.Size ? (VideoRefusal.PastEnd, $"read of {read.Length} bytes at {read.Offset:N0} is past the end ({file.Size:N0} bytes)")
            : null);
        if (refusal is null && _readsPerLink.AddOrUpdate(link.Number, 1, (_, n) => n + 1) > MaxReadsPerPeer)
        {
            ReleaseSlot(link.Number);
            refusal = (VideoRefusal.Busy, $"busy: more than {MaxReadsPerPeer} reads in flight");
        }
        if (refusal is { } refused)
        {
            link.TrySend(FrameType.VideoError, VideoMessages.Error(read.Request, refused.Code, refused.Reason));
            return;
        }
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _reads[(link.Number, read.Request)] = cancel;
        _ = Task.Run(() => ServeReadAsync(session, read, file!, cancel));
    }

    /// <summary>Reads one range and queues it as a bulk frame, unless the viewer cancels first. Always gives the slot back.</summary>
    private async Task ServeReadAsync(PeerSession session, VideoRead read, VideoLibrary.SharedFile file, CancellationTokenSource cancel)
    {
        var active = Interlocked.Increment(ref _activeReads);
        InterlockedMax(ref _peakReads, active);
        var link = session.Link;
        var buffer = ArrayPool<byte>.Shared.Rent(VideoData.HeaderSize + read.Length);
        var handedOver = false;
        try
        {
            using (var handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous))
            {
                var got = 0;
                while (got < read.Length)
                {
                    var n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(VideoData.HeaderSize + got, read.Length - got), read.Offset + got, cancel.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new IOException("the file became shorter");
                    }
                    got += n;
                }
            }
            VideoData.WriteHeader(buffer, read.Request, read.Offset);
            handedOver = true;
            if (await link.SendBulkAsync(FrameType.VideoData, buffer, VideoData.HeaderSize + read.Length, pooled: true, cancellationToken: cancel.Token).ConfigureAwait(false))
            {
                Interlocked.Add(ref _bytesServed, read.Length);
            }
        }
        catch (OperationCanceledException)
        {
            // The viewer stopped, or the node is stopping.
        }
        catch (IOException e)
        {
            VideoLog.ReadFailed(_logger, file.Path, e.Message);
            link.TrySend(FrameType.VideoError, VideoMessages.Error(read.Request, VideoRefusal.Failed, "cannot read the file: " + e.Message));
        }
        finally
        {
            if (!handedOver)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            _reads.TryRemove((link.Number, read.Request), out _);
            cancel.Dispose();
            ReleaseSlot(link.Number);
            Interlocked.Decrement(ref _activeReads);
        }
    }

    private void OnCancel(PeerSession session, Frame frame)
    {
        var (request, _) = VideoMessages.Split(frame.Payload, frame.Type);
        if (_reads.TryGetValue((session.Link.Number, request), out var cancel))
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }
    }

    private void ReleaseSlot(long link)
    {
        if (_readsPerLink.AddOrUpdate(link, 0, (_, n) => n - 1) <= 0)
        {
            _readsPerLink.TryRemove(new KeyValuePair<long, int>(link, 0));
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
            seen = Volatile.Read(ref target);
        }
    }
}

internal static partial class VideoLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading shared video {Path} failed: {Reason}")]
    public static partial void ReadFailed(ILogger logger, string path, string reason);
}
