using System.Text;
using System.Text.Json;
using Parley.Core.Protocol;
using Parley.Core.Videos;

namespace Parley.Core.Tests.Videos;

/// <summary>The catalog a peer sends: its JSON (the wire bytes) and what a viewer refuses before using it.</summary>
public sealed class VideoCatalogTests
{
    private const string Id = "00112233445566778899aabbccddeeff";

    private static VideoCatalog Sample() => new(
        [new VideoTitle("dog", [new VideoVariant(Id, "dog_480p.mp4", 1000, "mp4", 10, "h264", 854, 480, "aac", 2, 48000)])],
        [new UnreadableVideo("broken.mp4", 19, "not an MP4 or WebM/Matroska file")]);

    [Fact]
    public void TheJson_HasTheComputedFields_InTheOrderPeersRead()
    {
        Assert.Equal(
            """{"titles":[{"title":"dog","variants":[{"id":"00112233445566778899aabbccddeeff","file":"dog_480p.mp4","size":1000,"container":"mp4","duration":10,"videoCodec":"h264","width":854,"height":480,"audioCodec":"aac","channels":2,"sampleRate":48000,"storedWidth":0,"storedHeight":0,"rotation":0,"complete":true,"label":"480p","bitrate":800,"mimeType":"video/mp4"}]}],"unreadable":[{"file":"broken.mp4","size":19,"error":"not an MP4 or WebM/Matroska file"}],"truncated":false,"fileCount":2}""",
            Encoding.UTF8.GetString(Sample().ToArray()));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(Sample(), new JsonSerializerOptions(JsonSerializerDefaults.Web)), Sample().ToArray());
    }

    [Fact]
    public void ACatalog_ReadsBackAsSent()
    {
        var read = WireMessage.Read<VideoCatalog>(Sample().ToArray());
        Assert.Equal(Sample().Titles[0].Variants[0], read.FindVariant(Id));
        Assert.Equal(Sample().Unreadable, read.Unreadable);
    }

    [Theory]
    [InlineData("""{"titles":[null],"unreadable":[]}""")]
    [InlineData("""{"titles":[{"title":"dog","variants":null}],"unreadable":[]}""")]
    [InlineData("""{"titles":[{"title":"dog","variants":[null]}],"unreadable":[]}""")]
    [InlineData("""{"titles":[],"unreadable":[null]}""")]
    [InlineData("""{"titles":[]}""")]
    [InlineData("""{"titles":[{"title":"dog","variants":[]}],"unreadable":[]}""")]
    [InlineData("""{"titles":[{"title":"do\u0007g","variants":[{"id":"00112233445566778899aabbccddeeff","file":"a","size":1,"container":"mp4","videoCodec":"h264","width":1,"height":1}]}],"unreadable":[]}""")]
    [InlineData("""{"titles":[{"title":"dog","variants":[{"id":"../../etc/passwd","file":"a","size":1,"container":"mp4","videoCodec":"h264","width":1,"height":1}]}],"unreadable":[]}""")]
    [InlineData("""{"titles":[{"title":"dog","variants":[{"id":"00112233445566778899aabbccddeeff","file":"a","size":-1,"container":"mp4","videoCodec":"h264","width":1,"height":1}]}],"unreadable":[]}""")]
    [InlineData("""{"titles":[{"title":"dog","variants":[{"id":"00112233445566778899aabbccddeeff","file":"a","size":1,"container":"mp4","videoCodec":"h264","width":70000,"height":1}]}],"unreadable":[]}""")]
    [InlineData("""{"titles":[],"unreadable":[]} trailing""")]
    [InlineData("""[[[[[[[[[[[[]]]]]]]]]]]]""")]
    [InlineData("""null""")]
    [InlineData("")]
    public void AMalformedCatalog_IsRefusedWithAReason_NeverThrown(string json)
    {
        Assert.False(WireMessage.TryRead<VideoCatalog>(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.StartsWith("malformed video list: ", error);
    }

    [Fact]
    public void MoreFilesThanTheCap_IsRefused()
    {
        var variants = Enumerable.Range(0, VideoCatalog.MaxFiles + 1)
            .Select(i => new VideoVariant(Guid.NewGuid().ToString("N"), $"v{i}.mp4", 1, "mp4", null, "h264", 2, 2, null, null, null)).ToList();
        var json = new VideoCatalog([new VideoTitle("many", variants)], []).ToArray();
        Assert.False(WireMessage.TryRead<VideoCatalog>(json, out _, out var error));
        Assert.Contains($"more than {VideoCatalog.MaxFiles} files", error);
    }
}
