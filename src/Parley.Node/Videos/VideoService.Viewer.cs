using System.Buffers;
using System.Collections.Concurrent;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Videos;

public sealed partial class VideoService
{
    /// <summary>Bytes asked for in one read (one VideoData frame).</summary>
    public const int ReadSize = VideoData.MaxData;

    /// <summary>Reads in flight per stream: the whole of what a stream holds in memory (2 MiB), enough to fill a 40 ms link at 50 MB/s.</summary>
    public const int Window = 8;

    /// <summary>Streams served to local players at once; more wait for a free one, briefly, then get 503.</summary>
    public const int MaxStreams = 6;

    private static readonly TimeSpan RelinkPatience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StreamQueueTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<DeviceId, VideoCatalog> _catalogs = new();
    private readonly SemaphoreSlim _streamSlots = new(MaxStreams, MaxStreams);
    private int _activeStreams;

    /// <summary>Streams to local players now.</summary>
    public int ActiveStreams => Volatile.Read(ref _activeStreams);

    /// <summary>Asks a contact for its library and keeps the answer, whose IDs later reads use.</summary>
    public async Task<VideoCatalog> ListAsync(DeviceId peer, CancellationToken cancellationToken = default)
    {
        for (var (link, attempt) = (OpenLink(peer), 1); ; link = await RelinkAsync(peer, link, attempt++, cancellationToken).ConfigureAwait(false))
        {
            var (request, pending) = Register(link, FrameType.VideoList, 0, 0);
            try
            {
                link.TrySend(FrameType.VideoListRequest, VideoMessages.Request(request));
                var reply = await AwaitAsync(pending, cancellationToken).ConfigureAwait(false);
                if (reply.Failure is { Lost: true })
                {
                    continue;
                }
                if (reply.Failure is not null || pending.Catalog is not { } catalog)
                {
                    var why = reply.Failure ?? new Failure(VideoRefusal.Failed, "sent no list");
                    throw new VideoException($"{link.RemoteHello.Name} {why.Reason}", StatusFor(why));
                }
                _catalogs[peer] = catalog;
                return catalog;
            }
            finally
            {
                _pending.TryRemove(request, out _);
            }
        }
    }

    /// <summary>A variant from the peer's latest list (listing it first if it was never listed).</summary>
    public async Task<VideoVariant> FindAsync(DeviceId peer, string id, CancellationToken cancellationToken = default)
    {
        var catalog = _catalogs.TryGetValue(peer, out var known) ? known : await ListAsync(peer, cancellationToken).ConfigureAwait(false);
        return catalog.FindVariant(id)
            ?? throw new VideoException($"no video '{Printable(id)}' in this peer's library (IDs come from its list and change when it restarts)", 404);
    }

    /// <summary>
    /// Waits for one of <see cref="MaxStreams"/> stream slots; the returned handle gives it back.
    /// A viewer opening many ranges at once gets the rest served one after another, or refused.
    /// </summary>
    public async Task<IDisposable> EnterStreamAsync(CancellationToken cancellationToken)
    {
        if (!await _streamSlots.WaitAsync(StreamQueueTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new VideoException($"too many video streams at once (at most {MaxStreams}); try again", 503);
        }
        Interlocked.Increment(ref _activeStreams);
        return new StreamSlot(this);
    }

    private sealed class StreamSlot(VideoService owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._activeStreams);
                owner._streamSlots.Release();
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes from <paramref name="start"/> of a peer's video to
    /// <paramref name="output"/>, keeping <see cref="Window"/> reads in flight. When the player
    /// goes away (cancellation) the reads still in flight are cancelled at the owner. When the link
    /// drops and the peer is linked again within seconds (a duplicate link resolved, a network
    /// change), the copy goes on from where it was over the new link.
    /// </summary>
    public async Task CopyRangeAsync(DeviceId peer, VideoVariant variant, long start, long length, Stream output, CancellationToken cancellationToken)
    {
        var video = Guid.ParseExact(variant.Id, "N");
        var progress = new CopyProgress { Position = start };
        for (var (link, attempt) = (OpenLink(peer), 1); ; link = await RelinkAsync(peer, link, attempt++, cancellationToken).ConfigureAwait(false))
        {
            if (await CopyOverLinkAsync(link, video, progress, start + length, output, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private sealed class CopyProgress
    {
        public long Position { get; set; }
    }

    /// <summary>Copies from <paramref name="progress"/> to <paramref name="end"/> over one link; false if the link was lost first.</summary>
    private async Task<bool> CopyOverLinkAsync(IPeerLink link, Guid video, CopyProgress progress, long end, Stream output, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<(uint Request, PendingReply Reply)>();
        var next = progress.Position;
        try
        {
            while (inFlight.Count > 0 || next < end)
            {
                while (inFlight.Count < Window && next < end)
                {
                    var size = (int)Math.Min(ReadSize, end - next);
                    var (request, pending) = Register(link, FrameType.VideoData, next, size);
                    inFlight.Enqueue((request, pending));
                    link.TrySend(FrameType.VideoRead, new VideoRead(request, video, next, size).Encode());
                    next += size;
                }
                var (id, head) = inFlight.Peek();
                var (bytes, count, failure) = await AwaitAsync(head, cancellationToken).ConfigureAwait(false);
                inFlight.Dequeue();
                _pending.TryRemove(id, out _);
                if (failure is { Lost: true })
                {
                    return false;
                }
                if (failure is not null)
                {
                    throw new VideoException($"{link.RemoteHello.Name}: {failure.Reason}", StatusFor(failure));
                }
                try
                {
                    await output.WriteAsync(bytes.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                    progress.Position += count;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(bytes!);
                }
            }
            return true;
        }
        finally
        {
            foreach (var (request, pending) in inFlight)
            {
                _pending.TryRemove(request, out _);
                link.TrySend(FrameType.VideoCancel, VideoMessages.Request(request));
                if (pending.Result.IsCompletedSuccessfully && pending.Result.Result.Bytes is { } arrived)
                {
                    ArrayPool<byte>.Shared.Return(arrived);
                }
            }
        }
    }

    /// <summary>The peer's next open link after <paramref name="lost"/> closed, waiting up to <see cref="RelinkPatience"/>; three tries in all.</summary>
    private async Task<IPeerLink> RelinkAsync(DeviceId peer, IPeerLink lost, int attempt, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + RelinkPatience;
        while (true)
        {
            if (_links.Session(peer) is { IsOpen: true } session && session.Link != lost)
            {
                return session.Link;
            }
            if (_time.GetUtcNow() > deadline || attempt >= 3)
            {
                throw new VideoException($"{lost.RemoteHello.Name} went offline", 503);
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private IPeerLink OpenLink(DeviceId peer) =>
        _links.Session(peer) is { IsOpen: true } session ? session.Link
            : throw new VideoException($"{_contacts.Find(peer)?.DisplayName ?? peer.Short} is not online", 503);

    private static string Printable(string text) => new([.. text.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
}
