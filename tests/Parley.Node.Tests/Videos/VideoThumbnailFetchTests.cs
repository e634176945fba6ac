using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;
using Parley.Node.Storage;
using Parley.Node.Tests.Fakes;
using Parley.Node.Videos;
using Parley.Node.Videos.Thumbnails;
using Parley.Testing;

namespace Parley.Node.Tests.Videos;

/// <summary>Poster frames between owner and viewer over a fake link: the owner serves only frames its list names; the viewer keeps only bytes that are what the list promised.</summary>
public sealed class VideoThumbnailFetchTests : IAsyncLifetime
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, .. Enumerable.Range(0, 2000).Select(i => (byte)i), 0xFF, 0xD9];
    private readonly FakeSessions _sessions = new();
    private VideoHome _home = null!;

    public async Task InitializeAsync() => _home = await VideoHome.OpenAsync();

    public async Task DisposeAsync() => await _home.DisposeAsync();

    private static string IdOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A viewer whose peer lists one variant with <paramref name="listed"/> as its frame and answers frame requests with <paramref name="sent"/>.</summary>
    private async Task<(VideoViewer Viewer, FakePeerLink Link, VideoVariant Variant)> ViewerAsync(string listed, Func<byte[]> sent)
    {
        var viewer = new VideoViewer(_sessions, _home.Contacts, TimeProvider.System, _home.Options);
        var link = new FakePeerLink(await _home.PeerAsync(PeerState.Contact), "alice", 1);
        var session = _sessions.Open(link);
        var variant = new VideoVariant(Guid.NewGuid().ToString("N"), "dog.mp4", 1000, "mp4", 10, "h264", 320, 180, null, null, null, Thumbnail: listed);
        link.OnSend = (type, payload) =>
        {
            var request = WireMessage.Read<VideoRequestId>(payload.AsSpan(0, 4).ToArray()).Request;
            viewer.OnReply(session, type == FrameType.VideoListRequest
                ? VideoHome.Frame(FrameType.VideoList, new VideoList(request, new VideoCatalog([new VideoTitle("dog", [variant])], [])))
                : VideoHome.Frame(FrameType.VideoThumbnail, new VideoThumbnail(request, new ReadOnlySequence<byte>(sent()))));
        };
        return (viewer, link, variant);
    }

    [Fact]
    public async Task TheFrameTheListNamed_IsFetchedOnce_ThenServedFromTheViewersCache()
    {
        var (viewer, link, variant) = await ViewerAsync(IdOf(Jpeg), () => Jpeg);
        using (viewer)
        {
            Assert.Equal(Jpeg, await viewer.ThumbnailAsync(link.RemoteId, variant.Id));
            Assert.Equal(Jpeg, await viewer.ThumbnailAsync(link.RemoteId, variant.Id));
            Assert.Equal(1, link.CountOf(FrameType.VideoThumbnailRequest));
            Assert.Equal(IdOf(Jpeg), Assert.Single(link.SentOf<VideoThumbnailRequest>(FrameType.VideoThumbnailRequest)).Thumbnail);
        }
    }

    [Fact]
    public async Task BytesThatAreNotTheFrameTheListNamed_AreRefused_AndNotKept()
    {
        var html = "<html><script>alert(1)</script></html>"u8.ToArray();
        var honest = false;
        var (viewer, link, variant) = await ViewerAsync(IdOf(Jpeg), () => honest ? Jpeg : html);
        using (viewer)
        {
            var refused = await Assert.ThrowsAsync<VideoException>(() => viewer.ThumbnailAsync(link.RemoteId, variant.Id));
            Assert.Equal(("alice sent a thumbnail that is not the one its list named", 502), (refused.Message, refused.Status));
            honest = true;
            Assert.Equal(Jpeg, await viewer.ThumbnailAsync(link.RemoteId, variant.Id));
            Assert.Equal(2, link.CountOf(FrameType.VideoThumbnailRequest));
        }
    }

    [Fact]
    public async Task BytesThatHashRight_ButAreNoJpeg_AreRefused()
    {
        var svg = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"u8.ToArray();
        var (viewer, link, variant) = await ViewerAsync(IdOf(svg), () => svg);
        using (viewer)
        {
            Assert.Equal(502, (await Assert.ThrowsAsync<VideoException>(() => viewer.ThumbnailAsync(link.RemoteId, variant.Id))).Status);
        }
    }

    [Fact]
    public void AnOversizedOrEmptyThumbnail_IsRefusedBeforeUse_AndTheFrameCapSaysSo()
    {
        var tooBig = new byte[4 + VideoThumbnail.MaxBytes + 1];
        Assert.False(VideoThumbnail.TryRead(new ReadOnlySequence<byte>(tooBig), out _, out var error));
        Assert.Contains("over 24576 bytes", error);
        Assert.False(VideoThumbnail.TryRead(new ReadOnlySequence<byte>(new byte[4]), out _, out _));
        Assert.Equal(4 + 24 * 1024, VideoFrames.Specs.Single(s => s.Type == FrameType.VideoThumbnail).MaxPayload);
        Assert.Equal(36, VideoFrames.Specs.Single(s => s.Type == FrameType.VideoThumbnailRequest).MaxPayload);
        // A catalog naming a frame by anything but a SHA-256 in hex is not a catalog.
        var variant = new VideoVariant(Guid.NewGuid().ToString("N"), "dog.mp4", 1000, "mp4", 10, "h264", 320, 180, null, null, null, Thumbnail: "../../etc/passwd");
        Assert.False(VideoCatalog.TryRead(new ReadOnlySequence<byte>(new VideoCatalog([new VideoTitle("dog", [variant])], []).ToArray()), out _, out _));
    }

    [Fact]
    public async Task TheOwner_ServesOnlyFramesItsListNames_AndOnlyToThoseWhoMayWatch()
    {
        var folder = Directory.CreateTempSubdirectory("parley-thumbs-owned-").FullName;
        try
        {
            await TestVideos.CopyToAsync(folder);
            using var thumbnails = new VideoThumbnails(Path.Combine(folder + "-made"), FfmpegThumbnail.Find(), NullLoggerFactory.Instance);
            thumbnails.Start();
            var sharing = await _home.SharingAsync(folder, thumbnails);
            using var owner = new VideoOwner(sharing, NullLoggerFactory.Instance);
            var link = new FakePeerLink(await _home.PeerAsync(PeerState.Contact), "bob", 1);
            var session = new FakeSessions().Open(link);
            string? id = null;
            await Wait.UntilAsync(async () =>
            {
                await Task.Delay(500);
                return (id = sharing.OwnCatalog().Titles.SelectMany(t => t.Variants).FirstOrDefault(v => v.Thumbnail is not null)?.Thumbnail) is not null;
            }, "a frame in the catalog");

            await owner.OnRequestAsync(session, VideoHome.Frame(FrameType.VideoThumbnailRequest, new VideoThumbnailRequest(5, id!)));
            await Wait.UntilAsync(() => link.CountOf(FrameType.VideoThumbnail) == 1, "the frame");
            var sent = Assert.Single(link.SentOf<VideoThumbnail>(FrameType.VideoThumbnail));
            Assert.True(VideoViewer.IsFrame(sent.Jpeg.ToArray(), id!));

            await owner.OnRequestAsync(session, VideoHome.Frame(FrameType.VideoThumbnailRequest, new VideoThumbnailRequest(6, IdOf(Jpeg))));
            await Wait.UntilAsync(() => link.CountOf(FrameType.VideoError) == 1, "a refusal");
            Assert.Equal(VideoRefusal.UnknownVideo, link.SentOf<VideoError>(FrameType.VideoError).Last().Code);

            await sharing.Access.SetAsync(link.RemoteId, allowed: false);
            await owner.OnRequestAsync(session, VideoHome.Frame(FrameType.VideoThumbnailRequest, new VideoThumbnailRequest(7, id!)));
            await Wait.UntilAsync(() => link.CountOf(FrameType.VideoError) == 2, "a second refusal");
            Assert.Equal(VideoRefusal.NotShared, link.SentOf<VideoError>(FrameType.VideoError).Last().Code);
            thumbnails.Stop();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            if (Directory.Exists(folder + "-made"))
            {
                Directory.Delete(folder + "-made", recursive: true);
            }
        }
    }
}
