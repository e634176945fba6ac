using System.Buffers.Binary;
using Parley.Cli.Calls;

namespace Parley.Cli.Tests;

/// <summary>The Ogg Opus pages a call recording's voice is written in: granules, gaps, and a stream the reader takes back.</summary>
public sealed class OggOpusWriterTests
{
    // TOC 0xF8: CELT, 20 ms, one frame (RFC 6716, 3.1).
    private static readonly byte[] Packet = [0xF8, 1, 2, 3];

    [Fact]
    public async Task Write_StampsBunchedTogether_PlacesPacketsOneAfterAnother_AndKeepsAGapOfLostOnes()
    {
        using var file = new MemoryStream();
        var writer = new OggOpusWriter(file);
        // Three stamped at the same moment (handed over together), then one after two were lost.
        foreach (var stamp in new uint[] { 1000, 1000, 1000, 1000 + (5 * 960) })
        {
            Assert.True(writer.Write(stamp, Packet));
        }
        Assert.False(writer.Write(1000, []));
        writer.Finish();

        Assert.Equal([960L, 1920, 2880, 5760], Granules(file.ToArray()).Skip(2));
        file.Position = 0;
        var read = new List<byte[]>();
        await foreach (var packet in MediaContainers.ReadOggOpusAsync(file, CancellationToken.None))
        {
            read.Add(packet);
        }
        Assert.Equal(4, read.Count);
        Assert.All(read, p => Assert.Equal(Packet, p));
    }

    [Theory]
    [InlineData(new byte[] { 0xF8 }, 960)] // CELT 20 ms
    [InlineData(new byte[] { 0x08 }, 960)] // SILK 20 ms
    [InlineData(new byte[] { 0x09 }, 1920)] // SILK 20 ms, two frames (code 1)
    [InlineData(new byte[] { 0xFB, 0x03 }, 2880)] // CELT 20 ms, code 3 with three frames
    [InlineData(new byte[] { }, 0)]
    public void Samples_FromTheTocByte(byte[] packet, int samples) => Assert.Equal(samples, OggOpusWriter.Samples(packet));

    private static List<long> Granules(byte[] stream)
    {
        var granules = new List<long>();
        for (var at = 0; at < stream.Length;)
        {
            Assert.Equal("OggS"u8.ToArray(), stream[at..(at + 4)]);
            var segments = stream[at + 26];
            var size = 27 + segments + stream.AsSpan(at + 27, segments).ToArray().Sum(b => b);
            granules.Add(BinaryPrimitives.ReadInt64LittleEndian(stream.AsSpan(at + 6)));
            at += size;
        }
        return granules;
    }
}
