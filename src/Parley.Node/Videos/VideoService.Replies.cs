using System.Buffers;
using System.Collections.Concurrent;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>The viewer's side of requests and replies: what is awaited, and what arrives for it.</summary>
public sealed partial class VideoService
{
    /// <summary>Why a reply has no bytes: the owner's refusal (its code), or no reply at all; <see cref="Lost"/> when the link closed first.</summary>
    private sealed record Failure(VideoRefusal Code, string Reason, bool Lost = false);

    private static readonly Failure LinkLost = new(VideoRefusal.Failed, "went offline", Lost: true);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<uint, PendingReply> _pending = new();
    private int _nextRequest;

    /// <summary>An answer awaited from a peer: a catalog, a range of bytes (in a pooled buffer) or an error.</summary>
    private sealed class PendingReply(IPeerLink link, FrameType expects, long offset, int length)
    {
        private readonly TaskCompletionSource<Reply> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IPeerLink Link => link;
        public FrameType Expects => expects;
        public long Offset => offset;
        public int Length => length;
        public Task<Reply> Result => _result.Task;

        /// <summary>The decoded catalog, for a list request.</summary>
        public VideoCatalog? Catalog { get; set; }

        public bool Complete(byte[] bytes, int count) => _result.TrySetResult(new Reply(bytes, count, null));

        public void Fail(VideoRefusal code, string reason) => _result.TrySetResult(new Reply(null, 0, new Failure(code, reason)));
    }

    /// <summary>Bytes (a pooled buffer) and their count, or why there are none.</summary>
    private readonly record struct Reply(byte[]? Bytes, int Length, Failure? Failure);

    /// <summary>A VideoList, VideoData or VideoError for a request of ours; one we gave up on is dropped.</summary>
    private void OnReply(PeerSession session, Frame frame)
    {
        if (frame.Type == FrameType.VideoData)
        {
            var (request, offset, data) = VideoData.Decode(frame.Payload);
            if (!_pending.TryGetValue(request, out var pending) || pending.Link != session.Link)
            {
                return;
            }
            if (pending.Expects != FrameType.VideoData || offset != pending.Offset || data.Length != pending.Length)
            {
                throw new ProtocolException($"video data for request {request} does not match what was asked");
            }
            var bytes = ArrayPool<byte>.Shared.Rent(pending.Length);
            data.CopyTo(bytes);
            if (!pending.Complete(bytes, pending.Length))
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
            return;
        }
        var (id, body) = VideoMessages.Split(frame.Payload, frame.Type);
        if (!_pending.TryGetValue(id, out var waiting) || waiting.Link != session.Link)
        {
            return;
        }
        if (frame.Type == FrameType.VideoError)
        {
            var (code, reason) = VideoMessages.DecodeError(body);
            waiting.Fail(code, reason);
        }
        else if (waiting.Expects == FrameType.VideoList)
        {
            try
            {
                waiting.Catalog = VideoCatalog.Decode(body.ToArray());
            }
            catch (ProtocolException e)
            {
                waiting.Fail(VideoRefusal.Failed, "sent " + e.Message);
                throw; // a malformed list closes the link, like any malformed frame
            }
            waiting.Complete([], 0);
        }
        else
        {
            throw new ProtocolException($"a video list for request {id}, which asked for data");
        }
    }

    private (uint Request, PendingReply Reply) Register(IPeerLink link, FrameType expects, long offset, int length)
    {
        var request = (uint)Interlocked.Increment(ref _nextRequest);
        var pending = new PendingReply(link, expects, offset, length);
        _pending[request] = pending;
        return (request, pending);
    }

    /// <summary>The reply, or why none came: the link closed, the peer was silent too long. Cancellation throws.</summary>
    private async Task<Reply> AwaitAsync(PendingReply pending, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            var first = await Task.WhenAny(pending.Result, pending.Link.Closed).WaitAsync(ReplyTimeout, linked.Token).ConfigureAwait(false);
            return first == pending.Result ? pending.Result.Result : new Reply(null, 0, LinkLost);
        }
        catch (TimeoutException)
        {
            return new Reply(null, 0, new Failure(VideoRefusal.Failed, $"did not answer within {ReplyTimeout.TotalSeconds:0} s"));
        }
    }

    /// <summary>The HTTP status for a failure: not shared with you 403, no such video 404, anything else 503.</summary>
    private static int StatusFor(Failure failure) => failure.Code switch
    {
        VideoRefusal.NotSharing or VideoRefusal.NotShared => 403,
        VideoRefusal.UnknownVideo => 404,
        _ => 503,
    };
}
