using System.Buffers;
using System.Collections.Concurrent;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>The viewer's side of requests and replies: what is awaited, and what arrives for it.</summary>
public sealed partial class VideoService
{
    private const string LinkLost = "went offline";
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<uint, PendingReply> _pending = new();
    private int _nextRequest;

    /// <summary>An answer awaited from a peer: a catalog, a range of bytes (in a pooled buffer) or an error.</summary>
    private sealed class PendingReply(PeerLink link, FrameType expects, long offset, int length)
    {
        private readonly TaskCompletionSource<(byte[]? Bytes, int Length, string? Error)> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PeerLink Link => link;
        public FrameType Expects => expects;
        public long Offset => offset;
        public int Length => length;
        public Task<(byte[]? Bytes, int Length, string? Error)> Result => _result.Task;

        /// <summary>The decoded catalog, for a list request.</summary>
        public VideoCatalog? Catalog { get; set; }

        public bool Complete(byte[] bytes, int count) => _result.TrySetResult((bytes, count, null));

        public void Fail(string error) => _result.TrySetResult((null, 0, error));
    }

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
            waiting.Fail(VideoMessages.ErrorText(body));
        }
        else if (waiting.Expects == FrameType.VideoList)
        {
            try
            {
                waiting.Catalog = VideoCatalog.Decode(body.ToArray());
            }
            catch (ProtocolException e)
            {
                waiting.Fail("sent " + e.Message);
                throw; // a malformed list closes the link, like any malformed frame
            }
            waiting.Complete([], 0);
        }
        else
        {
            throw new ProtocolException($"a video list for request {id}, which asked for data");
        }
    }

    private (uint Request, PendingReply Reply) Register(PeerLink link, FrameType expects, long offset, int length)
    {
        var request = (uint)Interlocked.Increment(ref _nextRequest);
        var pending = new PendingReply(link, expects, offset, length);
        _pending[request] = pending;
        return (request, pending);
    }

    /// <summary>The reply, or an error if the link closes, the peer is silent too long or the caller gives up.</summary>
    private async Task<(byte[]? Bytes, int Length, string? Error)> AwaitAsync(PendingReply pending, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            var first = await Task.WhenAny(pending.Result, pending.Link.Closed).WaitAsync(ReplyTimeout, linked.Token).ConfigureAwait(false);
            return first == pending.Result ? pending.Result.Result : (null, 0, LinkLost);
        }
        catch (TimeoutException)
        {
            return (null, 0, $"did not answer within {ReplyTimeout.TotalSeconds:0} s");
        }
    }
}
