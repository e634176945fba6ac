using System.Buffers;
using System.Collections.Concurrent;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>Serving reads: one range per request, cancellable by the viewer, a bounded number per peer.</summary>
public sealed partial class VideoOwner
{
    /// <summary>Most reads one peer may have in flight; more are refused as busy (a viewer needs a few dozen at most).</summary>
    public const int MaxReadsPerPeer = 64;

    private readonly ConcurrentDictionary<(long Link, uint Request), CancellationTokenSource> _reads = new();
    private readonly ConcurrentDictionary<long, int> _readsPerLink = new();
    private long _bytesServed;
    private int _activeReads;
    private int _peakReads;

    /// <summary>Bytes of shared files sent to viewers since start.</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    /// <summary>Reads being carried out now, and the most there have been at once.</summary>
    public (int Active, int Peak) Reads => (Volatile.Read(ref _activeReads), Volatile.Read(ref _peakReads));

    private void OnRead(PeerSession session, VideoRead read)
    {
        var link = session.Link;
        var file = sharing.Library?.Find(read.Video);
        // Past the end is checked as Offset > Size - Length: Offset + Length would overflow near 2^63 and pass.
        var refusal = sharing.Refusal(session.Id)
            ?? (file is null ? (VideoRefusal.UnknownVideo, "no video with this ID is shared here (list the library again)")
            : read.Offset > file.Size - read.Length ? (VideoRefusal.PastEnd, $"read of {read.Length} bytes at {read.Offset:N0} is past the end ({file.Size:N0} bytes)")
            : null);
        if (refusal is null && _readsPerLink.AddOrUpdate(link.Number, 1, (_, n) => n + 1) > MaxReadsPerPeer)
        {
            ReleaseSlot(link.Number);
            refusal = (VideoRefusal.Busy, $"busy: more than {MaxReadsPerPeer} reads in flight");
        }
        if (refusal is { } refused)
        {
            link.TrySend(FrameType.VideoError, new VideoError(read.Request, refused.Code, refused.Reason).ToArray());
            return;
        }
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _reads[(link.Number, read.Request)] = cancel;
        _ = Task.Run(() => ServeReadAsync(link, read, file!, cancel));
    }

    /// <summary>Reads one range and queues it as a bulk frame, unless the viewer cancels first. Always gives the slot back.</summary>
    private async Task ServeReadAsync(IPeerLink link, VideoRead read, VideoLibrary.SharedFile file, CancellationTokenSource cancel)
    {
        var active = Interlocked.Increment(ref _activeReads);
        InterlockedMax(ref _peakReads, active);
        var buffer = ArrayPool<byte>.Shared.Rent(VideoData.HeaderSize + read.Length);
        var handedOver = false;
        try
        {
            await ReadRangeAsync(file, read, buffer.AsMemory(VideoData.HeaderSize, read.Length), cancel.Token).ConfigureAwait(false);
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The path and the system's words stay in the local log: the contact learns only that the read failed.
            VideoLog.ReadFailed(_logger, file.Path, e.Message);
            link.TrySend(FrameType.VideoError, new VideoError(read.Request, VideoRefusal.Failed, "cannot read the file").ToArray());
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

    /// <summary>
    /// Fills <paramref name="destination"/> from the file at the read's offset; a file that became shorter
    /// is an IO error, and so is one that became a link (<see cref="VideoLibrary.SharedFile.OpenRead"/>).
    /// </summary>
    private static async Task ReadRangeAsync(VideoLibrary.SharedFile file, VideoRead read, Memory<byte> destination, CancellationToken cancellationToken)
    {
        using var handle = file.OpenRead();
        for (var got = 0; got < destination.Length;)
        {
            var n = await RandomAccess.ReadAsync(handle, destination[got..], read.Offset + got, cancellationToken).ConfigureAwait(false);
            got += n > 0 ? n : throw new IOException("the file became shorter");
        }
    }

    private void OnCancel(PeerSession session, uint request)
    {
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
