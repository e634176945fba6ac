using System.Buffers.Binary;
using System.Diagnostics;
using Parley.Core.Videos.Probes;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.Core.Tests.Videos.Probes;

/// <summary>
/// Mutation fuzzing of the header reader: small real MP4 and WebM files from ffmpeg, damaged in
/// ways that hit length fields (sizes of 0, 1, 2^32-1, 2^64-1, random), flipped bits, cut tails and
/// spliced copies. Every result must be a result: no exception, no hang, no huge allocation.
/// Seeds are fixed, so a failure names the iteration that reproduces it.
/// </summary>
public sealed class VideoProbeFuzzTests(ITestOutputHelper output)
{
    private const int IterationsPerSeed = 20_000;

    [Theory]
    [InlineData("mp4")]
    [InlineData("webm")]
    public async Task Damaged_headers_give_a_result_never_an_exception(string container)
    {
        var seedPath = Path.Combine(Path.GetTempPath(), $"parley-fuzz-seed-{Guid.NewGuid():N}.{container}");
        await TestVideos.MakeAsync(seedPath, 64, 48, seconds: 1);
        var seed = await File.ReadAllBytesAsync(seedPath);
        File.Delete(seedPath);
        Fuzz(seed, container);
    }

    /// <summary>The readers' newer paths: fragments, sidx, tkhd matrices, esds, Matroska projection, display size, VfW.</summary>
    [Theory]
    [InlineData("fragments-only.mp4")]
    [InlineData("global-sidx.mp4")]
    [InlineData("mp3-gst.mp4")]
    [InlineData("rotate-90.mkv")]
    [InlineData("second-default.mp4")]
    public async Task Damaged_corpus_headers_give_a_result_never_an_exception(string name)
    {
        Fuzz(await File.ReadAllBytesAsync(Path.Combine(await VideoCorpus.FolderAsync(), name)), name);
    }

    private void Fuzz(byte[] seed, string container)
    {
        Assert.True(VideoProbe.Probe(new MemoryStream(seed)).Readable);
        int readable = 0, unreadable = 0, incomplete = 0;
        var slowest = TimeSpan.Zero;
        for (var iteration = 0; iteration < IterationsPerSeed; iteration++)
        {
            var random = new Random(iteration);
            var bytes = Mutate(seed, random);
            var clock = Stopwatch.StartNew();
            ProbeResult result;
            try
            {
                result = VideoProbe.Probe(new MemoryStream(bytes));
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} ({container}) threw {e.GetType().Name}: {e.Message}");
                throw;
            }
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            if (result.Readable)
            {
                readable++;
                incomplete += result.Facts!.Complete ? 0 : 1;
                Assert.True(result.Facts!.Video!.Width >= 0 && result.Facts.Video.Height >= 0);
                Assert.True(result.Facts.Duration is null || result.Facts.Duration >= TimeSpan.Zero);
            }
            else
            {
                unreadable++;
                Assert.False(string.IsNullOrWhiteSpace(result.Error));
            }
        }
        output.WriteLine($"{container}: {readable} still readable ({incomplete} of them incomplete), {unreadable} unreadable, slowest probe {slowest.TotalMilliseconds:F1} ms");
        // A size made larger than the file reads as a file cut short (readable, incomplete), as players see it.
        Assert.True(unreadable + incomplete > IterationsPerSeed / 10, "the mutations should break many files");
        Assert.True(readable > 0, "some mutations (in media data) leave the file readable");
    }

    private static readonly ulong[] NastySizes = [0, 1, 7, 8, 0x7FFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x00FFFFFFFFFFFFFF, 0x0100000000000000];

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        var rounds = random.Next(1, 4);
        for (var round = 0; round < rounds; round++)
        {
            var at = random.Next(bytes.Length);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when at + 4 <= bytes.Length:
                    BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)NastySizes[random.Next(NastySizes.Length)]);
                    break;
                case 2 when at + 8 <= bytes.Length:
                    BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(at), NastySizes[random.Next(NastySizes.Length)]);
                    break;
                case 3:
                    bytes = bytes[..at];
                    break;
                case 4:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 5:
                    var from = random.Next(bytes.Length);
                    var length = random.Next(Math.Min(64, bytes.Length - from) + 1);
                    bytes = [.. bytes[..at], .. bytes.AsSpan(from, length), .. bytes[at..]];
                    break;
            }
            if (bytes.Length == 0)
            {
                break;
            }
        }
        return bytes;
    }
}
