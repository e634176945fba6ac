using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Videos;

namespace Parley.Node.Videos;

/// <summary>Copying a byte range of a peer's video: a window of reads in flight, in order, over whichever link the peer has.</summary>
public sealed partial class VideoViewer
{
    /// <summary>Bytes asked for in one read (one VideoData frame).</summary>
    public const int ReadSize = VideoData.MaxData;

    /// <summary>Reads in flight per stream: the whole of what a stream holds in memory (2 MiB), enough to fill a 40 ms link at 50 MB/s.</summary>
    public const int Window = 8;

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
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var position = start;
        for (var (link, attempt) = (OpenLink(peer), 1); ; link = await RelinkAsync(peer, link, attempt++, stopping.Token).ConfigureAwait(false))
        {
            position = await CopyOverLinkAsync(link, video, position, start + length, output, stopping.Token).ConfigureAwait(false);
            if (position == start + length)
            {
                return;
            }
        }
    }

    /// <summary>Copies from <paramref name="position"/> to <paramref name="end"/> over one link; returns how far it got (short of the end if the link was lost).</summary>
    private async Task<long> CopyOverLinkAsync(IPeerLink link, Guid video, long position, long end, Stream output, CancellationToken cancellationToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<(VideoRead Read, Task<VideoChunk> Reply)>();
        var next = position;
        try
        {
            while (position < end)
            {
                while (inFlight.Count < Window && next < end)
                {
                    var read = new VideoRead(_ids.Next(), video, next, (int)Math.Min(ReadSize, end - next));
                    inFlight.Enqueue((read, _reads.SendAsync((link.Number, read.Request),
                        () => link.TrySend(FrameType.VideoRead, read.ToArray()), ReplyTimeout, window.Token)));
                    next += read.Length;
                }
                var (asked, reply) = inFlight.Peek();
                if (await AnswerAsync(link, reply, ": ").ConfigureAwait(false) is not { } chunk)
                {
                    return position;
                }
                inFlight.Dequeue();
                using (chunk)
                {
                    if (chunk.Offset != asked.Offset || chunk.Length != asked.Length)
                    {
                        await link.CloseAsync(CloseCode.ProtocolError, $"video data for request {asked.Request} does not match what was asked").ConfigureAwait(false);
                        throw new VideoException($"{link.RemoteHello.Name} sent video data that does not match what was asked", 503);
                    }
                    await output.WriteAsync(chunk.Memory, cancellationToken).ConfigureAwait(false);
                    position += chunk.Length;
                }
            }
            return position;
        }
        finally
        {
            await window.CancelAsync().ConfigureAwait(false);
            foreach (var (read, reply) in inFlight)
            {
                link.TrySend(FrameType.VideoCancel, new VideoRequestId(read.Request).ToArray());
                // A reply that arrived but was never taken gives its buffer back to the pool.
                _ = reply.ContinueWith(static ended => (ended.IsCompletedSuccessfully ? ended.Result : null)?.Dispose(), CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }
}
