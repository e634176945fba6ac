using Parley.Core.Videos.Probes;
using Parley.Testing;

namespace Parley.Core.Tests.Videos.Probes;

/// <summary>
/// Every fact Parley reports about a file agrees with ffprobe's, over files written by ffmpeg, GStreamer
/// and mkvmerge: rotation, the default track, fragmented durations, audio channels and codec, codec names,
/// aspect ratio, and files cut short (readable, flagged incomplete).
/// </summary>
public sealed class VideoCorpusTests
{
    public static TheoryData<string> Names => [.. VideoCorpus.Files.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Every_reported_fact_agrees_with_ffprobe(string name)
    {
        var file = VideoCorpus.Files.Single(f => f.Name == name);
        var path = Path.Combine(await VideoCorpus.FolderAsync(), name);
        var expected = await FfprobeReport.ReadAsync(path);
        var result = VideoProbe.Probe(path);

        Assert.True(result.Readable, $"{name} ({file.Writer}, {file.Fact}): {result.Error}");
        var facts = result.Facts!;
        var video = facts.Video!;
        Assert.Contains(facts.Container, expected.Formats);
        Assert.Equal(file.Complete, facts.Complete);
        Assert.Equal((expected.VideoCodec, expected.Width, expected.Height), (video.Codec, video.Width, video.Height));
        Assert.Equal(expected.Rotation, video.Rotation);
        if (expected.DisplayAspect is { } aspect)
        {
            var shown = (double)video.Width * video.PixelAspect.Width / video.PixelAspect.Height / video.Height;
            Assert.InRange(shown, aspect * 0.99, aspect * 1.01);
        }
        Assert.Equal((expected.AudioCodec, expected.Channels, expected.SampleRate), (facts.Audio?.Codec, facts.Audio?.Channels, facts.Audio?.SampleRate));
        if (file.Complete)
        {
            Assert.NotNull(facts.Duration);
            Assert.InRange(facts.Duration.Value.TotalSeconds, expected.Duration!.Value - 0.05, expected.Duration.Value + 0.05);
        }
    }

    [Fact]
    public async Task A_turned_picture_is_shown_turned()
    {
        var folder = await VideoCorpus.FolderAsync();
        foreach (var name in new[] { "rotate-90.mp4", "rotate-270.mp4", "rotate-90.mkv" })
        {
            var video = VideoProbe.Probe(Path.Combine(folder, name)).Facts!.Video!;
            Assert.Equal((320, 180), (video.Width, video.Height));
            Assert.Equal((180, 320), video.Display);
        }
        Assert.Equal((320, 180), VideoProbe.Probe(Path.Combine(folder, "rotate-180.mp4")).Facts!.Video!.Display);
    }

    [Fact]
    public async Task An_anamorphic_picture_is_shown_stretched()
    {
        var folder = await VideoCorpus.FolderAsync();
        Assert.Equal((480, 270), VideoProbe.Probe(Path.Combine(folder, "anamorphic.mp4")).Facts!.Video!.Display);
        Assert.Equal((480, 270), VideoProbe.Probe(Path.Combine(folder, "anamorphic.mkv")).Facts!.Video!.Display);
        Assert.Equal((320, 180), VideoProbe.Probe(Path.Combine(folder, "anamorphic-mkvmerge.mkv")).Facts!.Video!.Display);
    }
}
