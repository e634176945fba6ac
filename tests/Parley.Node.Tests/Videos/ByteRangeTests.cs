using Parley.Node.Videos;

namespace Parley.Node.Tests.Videos;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=990-", 990, 10)]
    [InlineData("bytes=-10", 990, 10)]
    [InlineData("bytes=-5000", 0, 1000)]
    [InlineData("bytes=10-5000", 10, 990)]
    [InlineData("BYTES=0-0", 0, 1)]
    [InlineData("bytes= 5-6", 5, 2)]
    public void A_satisfiable_range_is_partial(string header, long start, long length)
    {
        var range = ByteRange.Parse(header, 1000);
        Assert.Equal((true, false, start, length), (range.Partial, range.Unsatisfiable, range.Start, range.Length));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("items=0-5")]
    [InlineData("bytes=5")]
    [InlineData("bytes=abc-def")]
    [InlineData("bytes=9-5")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=-")]
    [InlineData("bytes=99999999999999999999-")]
    [InlineData("bytes=+5-9")]
    [InlineData("bytes=0x10-20")]
    public void A_missing_or_malformed_range_means_the_whole_body(string? header)
    {
        var range = ByteRange.Parse(header, 1000);
        Assert.Equal((false, false, 0L, 1000L), (range.Partial, range.Unsatisfiable, range.Start, range.Length));
    }

    [Theory]
    [InlineData("bytes=1000-", 1000)]
    [InlineData("bytes=5000-6000", 1000)]
    [InlineData("bytes=-0", 1000)]
    [InlineData("bytes=0-", 0)]
    public void A_range_past_the_end_is_unsatisfiable(string header, long size) => Assert.True(ByteRange.Parse(header, size).Unsatisfiable);

    [Theory]
    [InlineData("dog_480p.mp4", "dog")]
    [InlineData("dog-240P.webm", "dog")]
    [InlineData("holiday/Video1_1080p.mkv", "holiday/Video1")]
    [InlineData("movie (720p).mp4", "movie")]
    [InlineData("480p.mp4", "480p")]
    [InlineData("plain.mp4", "plain")]
    [InlineData("show.s01e02.mp4", "show.s01e02")]
    public void Titles_drop_the_extension_and_a_resolution_suffix(string file, string title) => Assert.Equal(title, VideoLibrary.TitleOf(file));
}
