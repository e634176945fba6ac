using System.Buffers;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;
using Parley.Node.Storage;
using Parley.Node.Videos;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Videos;

/// <summary>The viewer over a fake link: replies matched by link and request, refusals named, a window of reads written in order.</summary>
public sealed class VideoViewerTests : IAsyncLifetime
{
    private static readonly VideoVariant Variant = new(Guid.NewGuid().ToString("N"), "dog.mp4", 10 * VideoViewer.ReadSize + 5, "mp4", 10, "h264", 2, 2, null, null, null);
    private readonly FakeSessions _sessions = new();
    private VideoHome _home = null!;
    private VideoViewer _viewer = null!;
    private FakePeerLink _link = null!;
    private PeerSession _session = null!;

    public async Task InitializeAsync()
    {
        _home = await VideoHome.OpenAsync();
        _viewer = new VideoViewer(_sessions, _home.Contacts, TimeProvider.System);
        _link = new FakePeerLink(await _home.PeerAsync(PeerState.Contact), "alice", 1);
        _session = _sessions.Open(_link);
    }

    public async Task DisposeAsync()
    {
        _viewer.Dispose();
        await _home.DisposeAsync();
    }

    private static VideoData DataFor(VideoRead read, int? length = null)
    {
        var bytes = Enumerable.Range(0, length ?? read.Length).Select(i => (byte)(read.Offset + i)).ToArray();
        return new VideoData(read.Request, read.Offset, new ReadOnlySequence<byte>(bytes));
    }

    [Fact]
    public async Task AListReply_CountsOnlyFromTheLinkTheRequestWentOutOn()
    {
        var listing = _viewer.ListAsync(_link.RemoteId);
        var request = Assert.Single(_link.SentOf<VideoRequestId>(FrameType.VideoListRequest)).Request;
        var catalog = new VideoCatalog([new VideoTitle("dog", [Variant])], []);
        var other = new FakePeerLink(_link.RemoteId, "mallory", 2);
        _viewer.OnReply(new PeerSession(other, true, true), VideoHome.Frame(FrameType.VideoList, new VideoList(request, VideoCatalog.Empty)));
        Assert.False(listing.IsCompleted);
        _viewer.OnReply(_session, VideoHome.Frame(FrameType.VideoList, new VideoList(request, catalog)));
        Assert.Equal(Variant, (await listing).FindVariant(Variant.Id));
        Assert.Equal(Variant, await _viewer.FindAsync(_link.RemoteId, Variant.Id));
    }

    [Fact]
    public async Task ListsAskedForTogether_ShareOneRequest_SinceAnOwnerAnswersOneAtATime()
    {
        var first = _viewer.ListAsync(_link.RemoteId);
        var second = _viewer.ListAsync(_link.RemoteId);
        var request = Assert.Single(_link.SentOf<VideoRequestId>(FrameType.VideoListRequest)).Request;
        var catalog = new VideoCatalog([new VideoTitle("dog", [Variant])], []);
        _viewer.OnReply(_session, VideoHome.Frame(FrameType.VideoList, new VideoList(request, catalog)));
        Assert.Same(await first, await second);
        // Once answered, the next list asks again (not a cache: the library may have changed).
        await Wait.UntilAsync(() =>
        {
            _ = _viewer.ListAsync(_link.RemoteId);
            return _link.CountOf(FrameType.VideoListRequest) == 2;
        }, "a second request after the first was answered");
    }

    [Fact]
    public async Task ARefusal_BecomesAnErrorNamingThePeer_WithTheStatusThatFits()
    {
        _link.OnSend = (type, payload) => _viewer.OnReply(_session,
            VideoHome.Frame(FrameType.VideoError, new VideoError(WireMessage.Read<VideoRequestId>(payload).Request, VideoRefusal.NotShared, "has not shared videos with you")));
        var refused = await Assert.ThrowsAsync<VideoException>(() => _viewer.ListAsync(_link.RemoteId));
        Assert.Equal(("alice has not shared videos with you", 403), (refused.Message, refused.Status));
    }

    [Fact]
    public async Task ACopy_KeepsAWindowOfReads_AndWritesTheirBytesInOrder_HoweverTheyArrive()
    {
        using var output = new MemoryStream();
        var copy = _viewer.CopyRangeAsync(_link.RemoteId, Variant, 3, Variant.Size - 3, output, CancellationToken.None);
        var answered = 0;
        while (!copy.IsCompleted)
        {
            var reads = _link.SentOf<VideoRead>(FrameType.VideoRead).Skip(answered).ToList();
            if (reads.Count == Math.Min(VideoViewer.Window, 11 - answered))
            {
                Assert.True(_link.SentOf<VideoRead>(FrameType.VideoRead).Count - answered <= VideoViewer.Window);
                foreach (var read in Enumerable.Reverse(reads))
                {
                    _viewer.OnReply(_session, VideoHome.Frame(FrameType.VideoData, DataFor(read)));
                }
                answered += reads.Count;
            }
            await Task.Delay(5);
        }
        await copy;
        Assert.Equal(Enumerable.Range(3, (int)Variant.Size - 3).Select(i => (byte)i), output.ToArray());
        Assert.Empty(_link.SentOf<VideoRequestId>(FrameType.VideoCancel));
    }

    [Fact]
    public async Task DataThatIsNotWhatWasAsked_ClosesTheLinkAsAProtocolError()
    {
        _link.OnSend = (type, payload) =>
        {
            var read = WireMessage.Read<VideoRead>(payload);
            _viewer.OnReply(_session, VideoHome.Frame(FrameType.VideoData, DataFor(read, read.Length - 1)));
        };
        var error = await Assert.ThrowsAsync<VideoException>(() => _viewer.CopyRangeAsync(_link.RemoteId, Variant, 0, 100, Stream.Null, CancellationToken.None));
        Assert.Contains("does not match what was asked", error.Message);
        Assert.Equal(CloseCode.ProtocolError, (await _link.Closed).Code);
    }

    [Fact]
    public async Task WhenThePlayerLeaves_EveryReadInFlightIsCancelledAtTheOwner()
    {
        using var leave = new CancellationTokenSource();
        var copy = _viewer.CopyRangeAsync(_link.RemoteId, Variant, 0, Variant.Size, Stream.Null, leave.Token);
        await Wait.UntilAsync(() => _link.SentOf<VideoRead>(FrameType.VideoRead).Count == VideoViewer.Window, "a full window");
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => copy);
        Assert.Equal(_link.SentOf<VideoRead>(FrameType.VideoRead).Select(r => r.Request), _link.SentOf<VideoRequestId>(FrameType.VideoCancel).Select(c => c.Request));
    }
}
