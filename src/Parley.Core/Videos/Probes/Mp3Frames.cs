using System.Buffers.Binary;

namespace Parley.Core.Videos.Probes;

/// <summary>
/// MP3 in MP4 carries no decoder config, and muxers write 2 channels in its sample entry whatever
/// the stream holds; players take channels and rate from the first frame's header. So do we: four
/// bytes at the track's first chunk (<c>stco</c> or <c>co64</c>), the only media bytes the probe reads.
/// </summary>
internal static class Mp3Frames
{
    private static readonly int[][] Rates = [[11025, 12000, 8000], [0, 0, 0], [22050, 24000, 16000], [44100, 48000, 32000]];

    public static AudioTrack Correct(AudioTrack audio, Stream stream, ReadOnlyMemory<byte> stbl)
    {
        if (audio.Codec != "mp3" || FirstChunk(stbl) is not { } offset || offset > stream.Length - 4)
        {
            return audio;
        }
        Span<byte> header = stackalloc byte[4];
        VideoProbe.ReadAt(stream, offset, header);
        // Sync (11 bits), version (2), layer (2), CRC (1) | bit rate (4), rate index (2), padding, private | channel mode (2), ...
        if (header[0] != 0xFF || (header[1] & 0xE0) != 0xE0)
        {
            return audio;
        }
        var version = (header[1] >> 3) & 3;
        var rateIndex = (header[2] >> 2) & 3;
        var rate = rateIndex < 3 ? Rates[version][rateIndex] : 0;
        var channels = (header[3] >> 6) == 3 ? 1 : 2;
        return audio with { Channels = channels, SampleRate = rate > 0 ? rate : audio.SampleRate };
    }

    private static long? FirstChunk(ReadOnlyMemory<byte> stbl)
    {
        // Full box (4), entry count (4), then 32-bit (stco) or 64-bit (co64) offsets.
        if (Mp4Boxes.Child(stbl, "stco", 5) is { Length: >= 12 } stco && BinaryPrimitives.ReadUInt32BigEndian(stco.Span[4..]) > 0)
        {
            return BinaryPrimitives.ReadUInt32BigEndian(stco.Span[8..]);
        }
        if (Mp4Boxes.Child(stbl, "co64", 5) is { Length: >= 16 } co64 && BinaryPrimitives.ReadUInt32BigEndian(co64.Span[4..]) > 0)
        {
            var offset = BinaryPrimitives.ReadUInt64BigEndian(co64.Span[8..]);
            return offset <= long.MaxValue ? (long)offset : null;
        }
        return null;
    }
}
