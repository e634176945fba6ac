using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Videos;
using Parley.Node.Videos;
using Parley.Node.Videos.Thumbnails;
using Parley.Testing;

namespace Parley.Node.Tests.Videos;

/// <summary>The owner's poster frames, made by the real ffmpeg: in the background, kept by path, size and time, and a failure not retried.</summary>
public sealed class VideoThumbnailsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-thumbs-").FullName;
    private readonly ManualClock _clock = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Shared => Path.Combine(_root, "shared");

    private VideoThumbnails Thumbnails(string? ffmpeg = "found")
    {
        var made = new VideoThumbnails(Path.Combine(_root, "made"), ffmpeg == "found" ? FfmpegThumbnail.Find() : ffmpeg, NullLoggerFactory.Instance);
        made.Start();
        return made;
    }

    /// <summary>A catalog from a fresh scan (the library rescans only after two seconds).</summary>
    private VideoVariant Scan(VideoLibrary library, string file)
    {
        _clock.Now += TimeSpan.FromSeconds(3);
        return library.Catalog().Titles.SelectMany(t => t.Variants).Single(v => v.File == file);
    }

    [Fact]
    public async Task AVideo_GetsAJpegInTheBackground_KeptAcrossRestarts_AndRemadeOnlyWhenTheFileChanges()
    {
        await TestVideos.CopyToAsync(Shared);
        using var thumbnails = Thumbnails();
        var library = new VideoLibrary(Shared, _clock, thumbnails);
        Assert.Null(Scan(library, "dog_480p.mp4").Thumbnail); // the list does not wait for ffmpeg
        string? id = null;
        await Wait.UntilAsync(() => (id = Scan(library, "dog_480p.mp4").Thumbnail) is not null, "the frame to be made");
        var jpeg = thumbnails.Read(id!)!;
        Assert.True(VideoViewer.IsFrame(jpeg, id!));
        Assert.InRange(jpeg.Length, 1000, VideoThumbnail.MaxBytes);
        var path = Path.Combine(_root, "frame.jpg");
        await File.WriteAllBytesAsync(path, jpeg);
        var facts = await TestVideos.ProbeAsync(path);
        Assert.Equal(("mjpeg", 320, 180), (facts.VideoCodec, facts.Width, facts.Height));
        Assert.True(library.ListsThumbnail(id!));

        await Wait.UntilAsync(() => Scan(library, "cat_240p.webm").Thumbnail is not null && Scan(library, "dog_240p.mp4").Thumbnail is not null,
            "every frame");
        var runs = thumbnails.Runs;
        Assert.Equal(TestVideos.Files.Length, runs);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(id, Scan(library, "dog_480p.mp4").Thumbnail);
        }
        Assert.Equal(runs, thumbnails.Runs);

        using var restarted = Thumbnails();
        Assert.Equal(id, Scan(new VideoLibrary(Shared, _clock, restarted), "dog_480p.mp4").Thumbnail);
        Assert.Equal(0, restarted.Runs);

        File.SetLastWriteTimeUtc(Path.Combine(Shared, "dog_480p.mp4"), DateTime.UtcNow.AddMinutes(-5));
        var changed = new VideoLibrary(Shared, _clock, restarted);
        Assert.Null(Scan(changed, "dog_480p.mp4").Thumbnail);
        await Wait.UntilAsync(() => Scan(changed, "dog_480p.mp4").Thumbnail is not null, "a frame for the changed file");
        Assert.Equal(1, restarted.Runs);
    }

    [Fact]
    public async Task AFileFfmpegCannotDecode_IsListedWithoutAFrame_AndNotTriedAgain_EvenAfterARestart()
    {
        Directory.CreateDirectory(Shared);
        var broken = Path.Combine(Shared, "broken.mp4");
        await TestVideos.MakeAsync(broken, 426, 240, seconds: 2);
        ZeroMediaData(broken); // headers whole (listed as playable), pictures gone
        using var thumbnails = Thumbnails();
        var library = new VideoLibrary(Shared, _clock, thumbnails);
        Assert.Null(Scan(library, "broken.mp4").Thumbnail);
        var made = Path.Combine(_root, "made");
        await Wait.UntilAsync(() => thumbnails.Runs == 1 && Directory.Exists(made) && Directory.EnumerateFiles(made, "*.failed").Any(), "ffmpeg to fail");
        for (var i = 0; i < 20; i++)
        {
            Assert.Null(Scan(library, "broken.mp4").Thumbnail);
        }
        await Task.Delay(300);
        Assert.Equal(1, thumbnails.Runs);

        using var restarted = Thumbnails();
        Assert.Null(Scan(new VideoLibrary(Shared, _clock, restarted), "broken.mp4").Thumbnail);
        await Task.Delay(300);
        Assert.Equal(0, restarted.Runs);
    }

    [Fact]
    public async Task WithoutFfmpeg_TheLibraryIsListedAsBefore_WithNoFrames()
    {
        await TestVideos.CopyToAsync(Shared);
        using var thumbnails = Thumbnails(ffmpeg: null);
        Assert.False(thumbnails.Available);
        var library = new VideoLibrary(Shared, _clock, thumbnails);
        Assert.All(TestVideos.Files, f => Assert.Null(Scan(library, f.Name).Thumbnail));
        await Task.Delay(200);
        Assert.All(TestVideos.Files, f => Assert.Null(Scan(library, f.Name).Thumbnail));
        Assert.Equal(0, thumbnails.Runs);
    }

    [Fact]
    public void TheFrameSize_IsTheDisplaySize_Scaled_ToThreeHundredTwentyOnTheLongerSide()
    {
        Assert.Equal((320, 180), FfmpegThumbnail.Fit(1280, 720));
        Assert.Equal((180, 320), FfmpegThumbnail.Fit(720, 1280));
        Assert.Equal((320, 240), FfmpegThumbnail.Fit(640, 480));
        Assert.Equal((320, 2), FfmpegThumbnail.Fit(4000, 1));
    }

    /// <summary>Zeroes the payload of the file's mdat box: the headers still say where each sample is.</summary>
    private static void ZeroMediaData(string path)
    {
        var bytes = File.ReadAllBytes(path);
        for (var at = 0; at + 8 <= bytes.Length;)
        {
            var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            if (System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4) == "mdat")
            {
                Array.Clear(bytes, at + 8, size - 8);
                File.WriteAllBytes(path, bytes);
                return;
            }
            at += size;
        }
        throw new InvalidOperationException("no mdat box");
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
