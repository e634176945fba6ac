using System.Buffers.Binary;
using System.Text;
using Parley.Core.Videos.Probes;
using Parley.Testing;

namespace Parley.Core.Tests.Videos.Probes;

public sealed class VideoProbeTests
{
    [Fact]
    public async Task Real_files_match_what_ffprobe_says()
    {
        var folder = await TestVideos.FolderAsync();
        foreach (var (name, width, height) in TestVideos.Files)
        {
            var path = Path.Combine(folder, name);
            var expected = await TestVideos.ProbeAsync(path);
            var result = VideoProbe.Probe(path);
            Assert.True(result.Readable, $"{name}: {result.Error}");
            var facts = result.Facts!;
            Assert.Equal(name.EndsWith(".webm", StringComparison.Ordinal) ? "webm" : "mp4", facts.Container);
            Assert.Equal((expected.VideoCodec, expected.Width, expected.Height), (facts.Video!.Codec, facts.Video.Width, facts.Video.Height));
            Assert.Equal((width, height), (facts.Video.Width, facts.Video.Height));
            Assert.Equal(expected.AudioCodec, facts.Audio?.Codec);
            Assert.Equal(48000, facts.Audio!.SampleRate);
            Assert.InRange(facts.Duration!.Value.TotalSeconds, expected.Duration - 0.05, expected.Duration + 0.05);
        }
    }

    [Fact]
    public async Task A_mislabelled_file_shows_its_true_size()
    {
        var folder = await TestVideos.FolderAsync();
        var copy = Path.Combine(Path.GetTempPath(), $"bird_480p-{Guid.NewGuid():N}.mp4");
        File.Copy(Path.Combine(folder, "dog_240p.mp4"), copy);
        try
        {
            var facts = VideoProbe.Probe(copy).Facts!;
            Assert.Equal((426, 240), (facts.Video!.Width, facts.Video.Height));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Theory]
    [InlineData("dog_480p.mp4")]
    [InlineData("cat_480p.webm")]
    public async Task A_file_cut_inside_its_headers_is_unreadable(string name)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(await TestVideos.FolderAsync(), name));
        foreach (var length in new[] { 0, 5, 12, 100 })
        {
            var result = VideoProbe.Probe(new MemoryStream(bytes[..length]));
            Assert.False(result.Readable, $"{name} cut to {length} bytes was read as a video");
            Assert.False(string.IsNullOrWhiteSpace(result.Error));
        }
    }

    [Fact]
    public async Task A_file_cut_after_its_headers_is_readable_but_incomplete_unless_its_moov_was_at_the_end()
    {
        var folder = await TestVideos.FolderAsync();
        var webm = await File.ReadAllBytesAsync(Path.Combine(folder, "cat_480p.webm"));
        foreach (var length in new[] { webm.Length / 2, webm.Length - 1 })
        {
            var result = VideoProbe.Probe(new MemoryStream(webm[..length]));
            Assert.True(result.Readable, result.Error);
            Assert.False(result.Facts!.Complete);
        }
        Assert.True(VideoProbe.Probe(new MemoryStream(webm)).Facts!.Complete);
        // ffmpeg's default MP4 puts moov after the media: cut, it has no index, and no player can play it.
        var mp4 = await File.ReadAllBytesAsync(Path.Combine(folder, "dog_480p.mp4"));
        var cut = VideoProbe.Probe(new MemoryStream(mp4[..(mp4.Length / 2)]));
        Assert.False(cut.Readable);
        Assert.Contains("moov", cut.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[]> HostileMp4s => new()
    {
        { "a moov of 2^32-1 bytes", [.. Ftyp(), .. Header(uint.MaxValue, "moov")] },
        { "a moov of 2^64-1 bytes", [.. Ftyp(), .. LargeHeader(ulong.MaxValue, "moov")] },
        { "a box of size 3", [.. Ftyp(), .. Header(3, "moov"), 0, 0, 0, 0] },
        { "a large box whose size is below its header", [.. Ftyp(), .. LargeHeader(9, "moov")] },
        { "a box inside moov of 2^32-1 bytes", [.. Ftyp(), .. Box("moov", [.. Header(uint.MaxValue, "trak"), 0, 0, 0, 0])] },
        { "a box inside moov of 2^64-1 bytes", [.. Ftyp(), .. Box("moov", LargeHeader(ulong.MaxValue, "trak"))] },
        { "a trak of size 0 (to its parent's end) holding nothing", [.. Ftyp(), .. Box("moov", Header(0, "trak"))] },
        { "a moov with no video track", [.. Ftyp(), .. Box("moov", Box("mvhd", new byte[100]))] },
        { "boxes nested 40 deep", [.. Ftyp(), .. Box("moov", Nested(40))] },
        { "a video sample entry cut short", [.. Ftyp(), .. Box("moov", Box("trak", Box("mdia", [.. Box("hdlr", [0, 0, 0, 0, 0, 0, 0, 0, .. "vide"u8]),
            .. Box("minf", Box("stbl", Box("stsd", [0, 0, 0, 0, 0, 0, 0, 1, .. Box("avc1", new byte[10])])))])))] },
        { "two moov boxes", [.. Ftyp(), .. Box("moov", []), .. Box("moov", [])] },
        { "a stray tail after the last box", [.. Ftyp(), .. Box("moov", []), 1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(HostileMp4s))]
    public void A_hostile_mp4_is_unreadable_with_a_reason(string what, byte[] file)
    {
        var result = VideoProbe.Probe(new MemoryStream(file));
        Assert.False(result.Readable, what);
        Assert.False(string.IsNullOrWhiteSpace(result.Error), what);
    }

    public static TheoryData<string, byte[]> HostileWebms => new()
    {
        { "a document type that is not webm", Ebml("text", []) },
        { "a Segment of unknown size holding Tracks of unknown size", Ebml("webm", [0x16, 0x54, 0xAE, 0x6B, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) },
        { "Tracks claiming 2^56-2 bytes", Ebml("webm", [0x16, 0x54, 0xAE, 0x6B, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xAE]) },
        { "a TrackEntry bigger than Tracks", Ebml("webm", [0x16, 0x54, 0xAE, 0x6B, 0x83, 0xAE, 0x90, 0x83]) },
        { "a size of nine bytes", Ebml("webm", [0x16, 0x54, 0xAE, 0x6B, 0x00, 0xAE]) },
        { "an element ID of five bytes", Ebml("webm", [0x08, 0x54, 0xAE, 0x6B, 0x11, 0x80]) },
        { "Tracks with no video", Ebml("webm", [0x16, 0x54, 0xAE, 0x6B, 0x85, 0xAE, 0x83, 0x83, 0x81, 0x02]) },
        { "no Tracks at all", Ebml("webm", [0x15, 0x49, 0xA9, 0x66, 0x80]) },
        { "a Duration float of three bytes", Ebml("webm", [0x15, 0x49, 0xA9, 0x66, 0x86, 0x44, 0x89, 0x83, 1, 2, 3]) },
        { "elements nested 40 deep", Ebml("webm", [0x16, 0x54, 0xAE, 0x6B, 0x80 | 80, .. Enumerable.Range(0, 40).SelectMany(i => new byte[] { 0xAE, (byte)(0x80 | (78 - 2 * i)) })]) },
    };

    [Theory]
    [MemberData(nameof(HostileWebms))]
    public void A_hostile_webm_is_unreadable_with_a_reason(string what, byte[] file)
    {
        var result = VideoProbe.Probe(new MemoryStream(file));
        Assert.False(result.Readable, what);
        Assert.False(string.IsNullOrWhiteSpace(result.Error), what);
    }

    [Fact]
    public void Files_that_are_not_video_are_unreadable()
    {
        foreach (var bytes in new[] { ""u8.ToArray(), "hello, this is a text file"u8.ToArray(), new byte[4096], Enumerable.Range(0, 5000).Select(i => (byte)(i * 31)).ToArray() })
        {
            Assert.False(VideoProbe.Probe(new MemoryStream(bytes)).Readable);
        }
        Assert.False(VideoProbe.Probe("/nonexistent/file.mp4").Readable);
    }

    private static byte[] Header(uint size, string type) => [.. BigEndian(size), .. Encoding.ASCII.GetBytes(type)];

    private static byte[] LargeHeader(ulong size, string type)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 1);
        Encoding.ASCII.GetBytes(type, bytes.AsSpan(4));
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), size);
        return bytes;
    }

    private static byte[] Box(string type, byte[] body) => [.. Header((uint)(8 + body.Length), type), .. body];

    private static byte[] Ftyp() => Box("ftyp", [.. "isom"u8, 0, 0, 2, 0, .. "isomavc1"u8]);

    private static byte[] Nested(int depth) => depth == 0 ? [] : Box(depth % 2 == 0 ? "trak" : "mdia", Nested(depth - 1));

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>An EBML header with <paramref name="docType"/>, then a Segment of known size holding <paramref name="segmentBody"/>.</summary>
    private static byte[] Ebml(string docType, byte[] segmentBody)
    {
        byte[] header = [0x42, 0x82, (byte)(0x80 | docType.Length), .. Encoding.ASCII.GetBytes(docType)];
        return [0x1A, 0x45, 0xDF, 0xA3, (byte)(0x80 | header.Length), .. header,
            0x18, 0x53, 0x80, 0x67, 0x08, 0, 0, 0, 0, 0, 0, (byte)segmentBody.Length, .. segmentBody];
    }
}
