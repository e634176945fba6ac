using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;
using Parley.Node.Storage;
using Parley.Node.Videos;
using Parley.Testing;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Videos;

/// <summary>The owner's rules, answered through a fake link: who may list and read, what a read sends, and the cap per peer.</summary>
public sealed class VideoOwnerTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("parley-videos-owned-").FullName;
    private VideoHome _home = null!;

    public async Task InitializeAsync()
    {
        await TestVideos.CopyToAsync(_folder);
        _home = await VideoHome.OpenAsync();
    }

    public async Task DisposeAsync()
    {
        await _home.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
        foreach (var beside in Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(_folder)!, Path.GetFileName(_folder) + "-*"))
        {
            if (Directory.Exists(beside))
            {
                Directory.Delete(beside, recursive: true);
            }
            else
            {
                File.Delete(beside);
            }
        }
    }

    private sealed record Owned(VideoSharing Sharing, VideoOwner Owner, FakePeerLink Link, PeerSession Session)
    {
        public async Task<T> AnswerAsync<T>(FrameType request, Frame frame, FrameType answer) where T : IWireMessage<T>
        {
            await Owner.OnRequestAsync(Session, frame);
            await Wait.UntilAsync(() => Link.Sent.Any(f => f.Type == answer), $"a {answer} to the {request}");
            return Link.SentOf<T>(answer).Last();
        }

        public Task<VideoError> RefusalAsync(Frame frame) => AnswerAsync<VideoError>(frame.Type, frame, FrameType.VideoError);
    }

    private async Task<Owned> OwnerAsync(PeerState viewer, bool sharing = true)
    {
        var shared = await _home.SharingAsync(sharing ? _folder : null);
        var link = new FakePeerLink(await _home.PeerAsync(viewer), "bob", 1);
        return new Owned(shared, new VideoOwner(shared, NullLoggerFactory.Instance), link, new FakeSessions().Open(link));
    }

    private static Frame ListRequest(uint request) => VideoHome.Frame(FrameType.VideoListRequest, new VideoRequestId(request));

    private static Frame Read(uint request, Guid video, long offset, int length) => VideoHome.Frame(FrameType.VideoRead, new VideoRead(request, video, offset, length));

    [Fact]
    public async Task AList_WhenNothingIsShared_IsRefusedAsNotSharing()
    {
        var owned = await OwnerAsync(PeerState.Contact, sharing: false);
        Assert.Equal(new VideoError(7, VideoRefusal.NotSharing, "is not sharing videos"), await owned.RefusalAsync(ListRequest(7)));
    }

    [Theory]
    [InlineData(PeerState.Request)]
    [InlineData(PeerState.Blocked)]
    [InlineData(PeerState.Denied)]
    public async Task AList_FromADeviceThatIsNotAContact_IsRefusedAsNotShared(PeerState state)
    {
        var owned = await OwnerAsync(state);
        Assert.Equal(new VideoError(7, VideoRefusal.NotShared, "has not shared videos with you"), await owned.RefusalAsync(ListRequest(7)));
    }

    [Fact]
    public async Task AList_FollowsTheAccessRules_TheContactsOwnRuleOverTheRuleForAll()
    {
        var owned = await OwnerAsync(PeerState.Contact);
        await owned.Sharing.Access.SetAsync(null, allowed: false);
        Assert.Equal(VideoRefusal.NotShared, (await owned.RefusalAsync(ListRequest(1))).Code);
        await owned.Sharing.Access.SetAsync(owned.Link.RemoteId, allowed: true);
        var list = await owned.AnswerAsync<VideoList>(FrameType.VideoListRequest, ListRequest(2), FrameType.VideoList);
        Assert.Equal(2u, list.Request);
        Assert.Equal(["cat", "dog"], list.Catalog.Titles.Select(t => t.Title));
    }

    [Fact]
    public async Task AList_RefusesAfterUnsharing()
    {
        var owned = await OwnerAsync(PeerState.Contact);
        await owned.Sharing.UnshareAsync();
        Assert.Equal(VideoRefusal.NotSharing, (await owned.RefusalAsync(ListRequest(1))).Code);
    }

    [Fact]
    public async Task AReadOfAnIdNeverIssued_IsUnknown_AndOnePastTheEnd_IsPastEnd()
    {
        var owned = await OwnerAsync(PeerState.Contact);
        var dog = owned.Sharing.OwnCatalog().Titles.Single(t => t.Title == "dog").Variants[0];
        Assert.Equal(VideoRefusal.UnknownVideo, (await owned.RefusalAsync(Read(1, Guid.NewGuid(), 0, 10))).Code);
        Assert.Equal(VideoRefusal.PastEnd, (await owned.RefusalAsync(Read(2, Guid.ParseExact(dog.Id, "N"), dog.Size - 5, 10))).Code);
    }

    [Fact]
    public async Task AReadWithinTheFile_SendsExactlyThoseBytes()
    {
        var owned = await OwnerAsync(PeerState.Contact);
        var dog = owned.Sharing.OwnCatalog().Titles.Single(t => t.Title == "dog").Variants[0];
        var data = await owned.AnswerAsync<VideoData>(FrameType.VideoRead, Read(3, Guid.ParseExact(dog.Id, "N"), 1000, 5000), FrameType.VideoData);
        var file = await File.ReadAllBytesAsync(Path.Combine(_folder, dog.File));
        Assert.Equal((3u, 1000L), (data.Request, data.Offset));
        Assert.Equal(file.AsSpan(1000, 5000).ToArray(), data.Data.ToArray());
        Assert.Equal(5000, owned.Owner.BytesServed);
    }

    [Fact]
    public async Task ReadsBeyondTheCapPerPeer_AreRefusedAsBusy_AndACancelFreesTheirSlot()
    {
        var owned = await OwnerAsync(PeerState.Contact);
        var video = Guid.ParseExact(owned.Sharing.OwnCatalog().Titles[0].Variants[0].Id, "N");
        owned.Link.BulkBlocked = true; // a link that never has room: every read stays in flight until cancelled
        for (var i = 0u; i < VideoOwner.MaxReadsPerPeer; i++)
        {
            await owned.Owner.OnRequestAsync(owned.Session, Read(i, video, 0, 100));
        }
        await Wait.UntilAsync(() => owned.Owner.Reads.Active == VideoOwner.MaxReadsPerPeer, "every read in flight");
        Assert.Equal(new VideoError(999, VideoRefusal.Busy, $"busy: more than {VideoOwner.MaxReadsPerPeer} reads in flight"),
            await owned.RefusalAsync(Read(999, video, 0, 100)));
        await owned.Owner.OnRequestAsync(owned.Session, VideoHome.Frame(FrameType.VideoCancel, new VideoRequestId(5)));
        await Wait.UntilAsync(() => owned.Owner.Reads.Active == VideoOwner.MaxReadsPerPeer - 1, "the cancelled read to end");
        await owned.Owner.OnRequestAsync(owned.Session, Read(1000, video, 0, 100));
        await Wait.UntilAsync(() => owned.Owner.Reads.Active == VideoOwner.MaxReadsPerPeer, "the new read in flight");
        Assert.Single(owned.Link.SentOf<VideoError>(FrameType.VideoError));
        Assert.Equal(0, owned.Owner.BytesServed);
    }

    [Fact]
    public async Task AList_AskedForAgainWhileOneWaitsForRoom_IsRefusedAsBusy()
    {
        var owned = await OwnerAsync(PeerState.Contact);
        owned.Link.BulkBlocked = true; // the peer reads nothing: its first list waits for room
        await owned.Owner.OnRequestAsync(owned.Session, ListRequest(1));
        Assert.Equal(new VideoError(2, VideoRefusal.Busy, "busy: a list is on its way"), await owned.RefusalAsync(ListRequest(2)));
        Assert.Equal(0, owned.Link.CountOf(FrameType.VideoList));
    }

    [Fact]
    public async Task AReadAtAnOffsetNear2To63_IsRefusedAsPastEnd()
    {
        // Offset + Length overflowed to a negative number and passed the check.
        var owned = await OwnerAsync(PeerState.Contact);
        var dog = Guid.ParseExact(owned.Sharing.OwnCatalog().Titles.Single(t => t.Title == "dog").Variants[0].Id, "N");
        var refusal = await owned.RefusalAsync(Read(1, dog, long.MaxValue - 5, 10));
        Assert.Equal(VideoRefusal.PastEnd, refusal.Code);
        Assert.Equal(0, owned.Link.CountOf(FrameType.VideoData));
    }

    [Fact]
    public async Task AListedFile_SwappedForALinkToAFileOutside_IsRefused_AndNothingOfItIsSent()
    {
        var owned = await OwnerAsync(PeerState.Contact);
        var dog = owned.Sharing.OwnCatalog().Titles.Single(t => t.Title == "dog").Variants[0];
        var secret = SecretBeside(dog.Size);
        var listed = Path.Combine(_folder, dog.File);
        File.Delete(listed);
        File.CreateSymbolicLink(listed, secret);

        await AssertRefusedWithoutPathAsync(owned, Guid.ParseExact(dog.Id, "N"), dog.File);
    }

    [Fact]
    public async Task AListedFile_WhoseFolderIsSwappedForALinkToAFolderOutside_IsRefused()
    {
        var shelf = Directory.CreateDirectory(Path.Combine(_folder, "shelf")).FullName;
        File.Move(Path.Combine(_folder, "dog_240p.mp4"), Path.Combine(shelf, "dog_240p.mp4"));
        var owned = await OwnerAsync(PeerState.Contact);
        var dog = owned.Sharing.OwnCatalog().Titles.SelectMany(t => t.Variants).Single(v => v.File == "shelf/dog_240p.mp4");
        var outside = Directory.CreateDirectory(_folder + "-outside").FullName;
        File.Move(SecretBeside(dog.Size), Path.Combine(outside, "dog_240p.mp4"));
        Directory.Move(shelf, shelf + "-moved");
        Directory.CreateSymbolicLink(shelf, outside);

        await AssertRefusedWithoutPathAsync(owned, Guid.ParseExact(dog.Id, "N"), dog.File);
    }

    [Fact]
    public async Task AReadThatFails_TellsTheContactNoLocalPath()
    {
        var owned = await OwnerAsync(PeerState.Contact);
        var dog = owned.Sharing.OwnCatalog().Titles.Single(t => t.Title == "dog").Variants[0];
        File.Delete(Path.Combine(_folder, dog.File));

        await AssertRefusedWithoutPathAsync(owned, Guid.ParseExact(dog.Id, "N"), dog.File);
    }

    [Fact]
    public async Task AFifoNamedLikeAVideo_IsListedAsUnreadable_WithoutWaitingForAWriter()
    {
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(_folder, "pipe.mp4")))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var owned = await OwnerAsync(PeerState.Contact);
        var catalog = await Task.Run(owned.Sharing.OwnCatalog).WaitAsync(TimeSpan.FromSeconds(10));
        var pipe = Assert.Single(catalog.Unreadable);
        Assert.Equal(("pipe.mp4", "cannot be opened: not a regular file"), (pipe.File, pipe.Error));
        Assert.Equal(["cat", "dog"], catalog.Titles.Select(t => t.Title));
    }

    /// <summary>A file outside the shared folder, beside it, with bytes no shared file has.</summary>
    private string SecretBeside(long size)
    {
        var secret = _folder + "-secret.bin";
        File.WriteAllBytes(secret, [.. Enumerable.Repeat((byte)0x5A, (int)size)]);
        return secret;
    }

    private async Task AssertRefusedWithoutPathAsync(Owned owned, Guid video, string file)
    {
        await owned.Owner.OnRequestAsync(owned.Session, Read(9, video, 0, 4096));
        await Wait.UntilAsync(() => owned.Link.Sent.Any(f => f.Type is FrameType.VideoError or FrameType.VideoData), "an answer to the read");
        Assert.Equal(0, owned.Link.CountOf(FrameType.VideoData));
        var refusal = Assert.Single(owned.Link.SentOf<VideoError>(FrameType.VideoError));
        Assert.Equal(VideoRefusal.Failed, refusal.Code);
        Assert.DoesNotContain(_folder, refusal.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetFileName(file), refusal.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("/", refusal.Reason, StringComparison.Ordinal);
    }
}
