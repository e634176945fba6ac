using System.Buffers;
using Parley.Core.Protocol;
using Parley.Core.Videos;

namespace Parley.Core.Tests.Videos;

/// <summary>The video frames' layouts, byte for byte as drawn in docs/protocol.md, and what each reader refuses.</summary>
public sealed class VideoMessagesTests
{
    private static readonly Guid Video = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");

    [Fact]
    public void VideoRead_IsRequestGuidOffsetLength_BigEndianNumbers()
    {
        var bytes = new VideoRead(0x01020304, Video, 0x0506, 0x0708).ToArray();
        Assert.Equal([1, 2, 3, 4, .. Video.ToByteArray(), 0, 0, 0, 0, 0, 0, 5, 6, 0, 0, 7, 8], bytes);
        Assert.Equal(new VideoRead(0x01020304, Video, 0x0506, 0x0708), WireMessage.Read<VideoRead>(bytes));
    }

    [Theory]
    [InlineData(-1L, 10)]
    [InlineData(0L, 0)]
    [InlineData(0L, VideoData.MaxData + 1)]
    public void VideoRead_OutsideTheLimits_IsRefused(long offset, int length)
    {
        var bytes = new VideoRead(1, Video, offset, length).ToArray();
        Assert.False(WireMessage.TryRead<VideoRead>(bytes, out _, out var error));
        Assert.Contains("outside the limits", error);
    }

    [Fact]
    public void VideoData_IsRequestOffsetThenTheBytes_AndTheHeaderAloneMatchesIt()
    {
        var message = new VideoData(7, 1 << 20, new ReadOnlySequence<byte>([9, 8, 7]));
        var bytes = message.ToArray();
        Assert.Equal([0, 0, 0, 7, 0, 0, 0, 0, 0, 0x10, 0, 0, 9, 8, 7], bytes);
        var inPlace = new byte[VideoData.HeaderSize + 3];
        VideoData.WriteHeader(inPlace, 7, 1 << 20);
        new byte[] { 9, 8, 7 }.CopyTo(inPlace.AsSpan(VideoData.HeaderSize));
        Assert.Equal(bytes, inPlace);
        var read = WireMessage.Read<VideoData>(bytes);
        Assert.Equal((7u, 1L << 20), (read.Request, read.Offset));
        Assert.Equal([9, 8, 7], read.Data.ToArray());
    }

    [Fact]
    public void VideoData_ShorterThanItsHeader_IsRefused() =>
        Assert.False(WireMessage.TryRead<VideoData>(new byte[VideoData.HeaderSize - 1], out _, out _));

    [Fact]
    public void VideoError_IsRequestCodeReason_AndAnUnknownCodeReadsAsFailed()
    {
        var bytes = new VideoError(5, VideoRefusal.NotShared, "no").ToArray();
        Assert.Equal([0, 0, 0, 5, 2, (byte)'n', (byte)'o'], bytes);
        Assert.Equal(new VideoError(5, VideoRefusal.NotShared, "no"), WireMessage.Read<VideoError>(bytes));
        bytes[4] = 200;
        Assert.Equal(VideoRefusal.Failed, WireMessage.Read<VideoError>(bytes).Code);
    }

    [Fact]
    public void VideoError_ReasonIsCutToFit_AndInvalidUtf8IsRefused()
    {
        var bytes = new VideoError(1, VideoRefusal.Busy, new string('é', 1000)).ToArray();
        Assert.Equal(VideoError.MaxSize, bytes.Length);
        Assert.True(WireMessage.TryRead<VideoError>(bytes, out _, out _));
        Assert.False(WireMessage.TryRead<VideoError>(new byte[] { 0, 0, 0, 1, 0, 0xC3 }, out _, out var error));
        Assert.Contains("UTF-8", error);
        Assert.False(WireMessage.TryRead<VideoError>(new byte[] { 0, 0, 0, 1 }, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    public void VideoRequestId_IsExactlyFourBytes(int length) =>
        Assert.False(WireMessage.TryRead<VideoRequestId>(new byte[length], out _, out _));

    [Fact]
    public void VideoList_IsRequestThenTheCatalog()
    {
        var list = new VideoList(3, VideoCatalog.Empty);
        var bytes = list.ToArray();
        Assert.Equal([0, 0, 0, 3, .. VideoCatalog.Empty.ToArray()], bytes);
        var read = WireMessage.Read<VideoList>(bytes);
        Assert.Equal((3u, 0), (read.Request, read.Catalog.FileCount));
    }

    [Fact]
    public void EveryVideoFrame_HasItsMessagesCap()
    {
        var caps = VideoFrames.Specs.ToDictionary(s => s.Type, s => s.MaxPayload);
        Assert.Equal(4, caps[FrameType.VideoListRequest]);
        Assert.Equal(4, caps[FrameType.VideoCancel]);
        Assert.Equal(ProtocolLimits.MaxPayload, caps[FrameType.VideoList]);
        Assert.Equal(VideoRead.Size, caps[FrameType.VideoRead]);
        Assert.Equal(12 + 256 * 1024, caps[FrameType.VideoData]);
        Assert.Equal(4 + 1 + ProtocolLimits.MaxCloseReasonBytes, caps[FrameType.VideoError]);
        Assert.Equal(4 + 32, caps[FrameType.VideoThumbnailRequest]);
        Assert.Equal(4 + 24 * 1024, caps[FrameType.VideoThumbnail]);
    }

    [Fact]
    public void AThumbnailRequest_CarriesItsIdAsThirtyTwoBytes_AndReadsBackAsLowerCaseHex()
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("frame"u8));
        var bytes = new VideoThumbnailRequest(9, id).ToArray();
        Assert.Equal(36, bytes.Length);
        Assert.Equal(new VideoThumbnailRequest(9, id), WireMessage.Read<VideoThumbnailRequest>(bytes));
        Assert.True(VideoThumbnailRequest.IsId(id));
        Assert.False(VideoThumbnailRequest.IsId(id.ToUpperInvariant()));
        Assert.False(VideoThumbnailRequest.IsId(id[..^1]));

        // In a catalog: after "complete", left out when there is none (the JSON an owner without thumbnails always wrote).
        var variant = new VideoVariant(Guid.NewGuid().ToString("N"), "dog.mp4", 1000, "mp4", 10, "h264", 320, 180, null, null, null, Thumbnail: id);
        var catalog = new VideoCatalog([new VideoTitle("dog", [variant])], []);
        Assert.Contains($"\"complete\":true,\"thumbnail\":\"{id}\",\"label\"", System.Text.Encoding.UTF8.GetString(catalog.ToArray()));
        Assert.Equal(id, WireMessage.Read<VideoCatalog>(catalog.ToArray()).Titles[0].Variants[0].Thumbnail);
        Assert.DoesNotContain("thumbnail", System.Text.Encoding.UTF8.GetString(new VideoCatalog([new VideoTitle("dog", [variant with { Thumbnail = null }])], []).ToArray()));
    }
}
