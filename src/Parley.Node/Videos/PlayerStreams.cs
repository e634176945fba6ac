using Microsoft.AspNetCore.Http;
using Parley.Core.Identity;
using Parley.Core.Videos;

namespace Parley.Node.Videos;

/// <summary>
/// Serves a peer's video to local players (the browser's &lt;video&gt;, mpv through a play link):
/// the HTTP range asked for, fetched over the peer link as the player reads. At most
/// <see cref="MaxStreams"/> at once; a viewer opening many ranges at once gets the rest served one
/// after another, or refused.
/// </summary>
public sealed class PlayerStreams(VideoViewer viewer) : IDisposable
{
    /// <summary>Streams served to local players at once; more wait for a free one, briefly, then get 503.</summary>
    public const int MaxStreams = 6;

    private static readonly TimeSpan QueueTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _slots = new(MaxStreams, MaxStreams);
    private int _active;

    /// <summary>Streams to local players now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>
    /// Answers with the range asked for (206), the whole file (200) or 416 past the end. <c>no-store</c>
    /// keeps the browser from writing it to its disk cache. <paramref name="stopped"/> ends the stream
    /// early (a play link stopped).
    /// </summary>
    public async Task ServeAsync(HttpContext context, DeviceId peer, VideoVariant variant, CancellationToken stopped)
    {
        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "no-store";
        var range = ByteRange.Parse(context.Request.Headers.Range, variant.Size);
        if (range.Unsatisfiable)
        {
            response.Headers.ContentRange = $"bytes */{variant.Size}";
            throw new VideoException($"the range is past the end of the video ({variant.Size:N0} bytes)", StatusCodes.Status416RangeNotSatisfiable);
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopped);
        if (!await EnterAsync(cancel.Token).ConfigureAwait(false))
        {
            return; // the player left while waiting
        }
        try
        {
            response.StatusCode = range.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
            response.ContentType = variant.MimeType;
            response.ContentLength = range.Length;
            if (range.Partial)
            {
                response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{variant.Size}";
            }
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await CopyAsync(context, peer, variant, range, cancel.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            _slots.Release();
        }
    }

    /// <summary>Waits for a free slot: false when the player left first; a <see cref="VideoException"/> (503) when none came free in time.</summary>
    private async Task<bool> EnterAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await _slots.WaitAsync(QueueTimeout, cancellationToken).ConfigureAwait(false))
            {
                throw new VideoException($"too many video streams at once (at most {MaxStreams}); try again", StatusCodes.Status503ServiceUnavailable);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        Interlocked.Increment(ref _active);
        return true;
    }

    private async Task CopyAsync(HttpContext context, DeviceId peer, VideoVariant variant, ByteRange range, CancellationToken cancellationToken)
    {
        var response = context.Response;
        try
        {
            await viewer.CopyRangeAsync(peer, variant, range.Start, range.Length, response.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Abort(); // the player left, the link was stopped or the node is stopping
        }
        catch (VideoException) when (!response.HasStarted)
        {
            response.Headers.ContentLength = null;
            response.Headers.ContentRange = default;
            throw;
        }
        catch (VideoException)
        {
            context.Abort(); // a body cut short: the player sees the connection end, not a wrong length
        }
    }

    public void Dispose() => _slots.Dispose();
}
