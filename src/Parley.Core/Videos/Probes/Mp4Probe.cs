using System.Buffers.Binary;
using System.Text;

namespace Parley.Core.Videos.Probes;

/// <summary>
/// ISO BMFF (MP4, MOV) headers: the top-level boxes are walked by their headers alone until
/// <c>moov</c>, which is read whole (capped) and walked in memory: <c>mvhd</c> for the duration,
/// each <c>trak</c>'s <c>hdlr</c> for its kind, <c>mdhd</c> for its duration and the first
/// <c>stsd</c> sample entry for codec, size, channels and rate.
/// </summary>
internal static class Mp4Probe
{
    private static readonly string[] TopLevelTypes = ["ftyp", "moov", "mdat", "free", "skip", "wide", "pdin", "styp", "sidx", "moof", "uuid", "meta"];

    /// <summary>A first box header naming a known top-level type.</summary>
    public static bool LooksLikeMp4(ReadOnlySpan<byte> start) => TopLevelTypes.Contains(Encoding.ASCII.GetString(start.Slice(4, 4)));

    public static VideoFacts Read(Stream stream)
    {
        var length = stream.Length;
        long offset = 0;
        string container = "mp4";
        byte[]? moov = null;
        Span<byte> header = stackalloc byte[16];
        while (offset < length)
        {
            var remaining = length - offset;
            if (remaining < 8)
            {
                throw new MediaFormatException($"truncated: {remaining} stray bytes after the last box");
            }
            VideoProbe.ReadAt(stream, offset, header[..8]);
            var type = FourCc(header[4..8]);
            ulong size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var headerSize = 8;
            if (size == 1)
            {
                VideoProbe.ReadAt(stream, offset + 8, header[8..16]);
                size = BinaryPrimitives.ReadUInt64BigEndian(header[8..]);
                headerSize = 16;
            }
            else if (size == 0)
            {
                size = (ulong)remaining; // "to the end of the file", allowed for the last box
            }
            if (size < (ulong)headerSize || size > (ulong)remaining)
            {
                throw new MediaFormatException(size < (ulong)headerSize
                    ? $"box '{type}' at offset {offset:N0} has an impossible size of {size:N0}"
                    : $"truncated: box '{type}' at offset {offset:N0} claims {size:N0} bytes but {remaining:N0} remain");
            }
            if (type == "ftyp" && size >= 12)
            {
                VideoProbe.ReadAt(stream, offset + headerSize, header[..4]);
                container = FourCc(header[..4]) == "qt  " ? "mov" : "mp4";
            }
            else if (type == "moov")
            {
                if (moov is not null)
                {
                    throw new MediaFormatException("two 'moov' boxes");
                }
                moov = VideoProbe.ReadBody(stream, offset + headerSize, size - (ulong)headerSize, "the 'moov' box");
            }
            offset += (long)size;
        }
        return moov is null ? throw new MediaFormatException("no 'moov' box: not a complete MP4") : ReadMovie(moov, container);
    }

    private static VideoFacts ReadMovie(byte[] moov, string container)
    {
        TimeSpan? duration = null;
        VideoTrack? video = null;
        AudioTrack? audio = null;
        TimeSpan? longestTrack = null;
        foreach (var (type, body) in Boxes(moov, 1))
        {
            if (type == "mvhd")
            {
                duration = HeaderDuration(body, "mvhd");
            }
            else if (type == "trak")
            {
                var track = ReadTrack(body);
                if (track.Duration > (longestTrack ?? TimeSpan.Zero))
                {
                    longestTrack = track.Duration;
                }
                video ??= track.Video;
                audio ??= track.Audio;
            }
        }
        // Fragmented files leave the movie duration at zero; their tracks may still know it.
        if (duration is null || duration == TimeSpan.Zero)
        {
            duration = longestTrack;
        }
        return new VideoFacts(container, duration, video, audio);
    }

    private readonly record struct Track(TimeSpan? Duration, VideoTrack? Video, AudioTrack? Audio);

    private static Track ReadTrack(ReadOnlyMemory<byte> trak)
    {
        var mdia = Child(trak, "mdia", 2);
        if (mdia is null)
        {
            return default;
        }
        var handler = Child(mdia.Value, "hdlr", 3) is { Length: >= 12 } hdlr ? FourCc(hdlr.Span[8..12]) : "";
        var duration = Child(mdia.Value, "mdhd", 3) is { } mdhd ? HeaderDuration(mdhd, "mdhd") : null;
        var stsd = Child(mdia.Value, "minf", 3) is { } minf && Child(minf, "stbl", 4) is { } stbl ? Child(stbl, "stsd", 5) : null;
        if (stsd is not { Length: >= 8 } table || BinaryPrimitives.ReadUInt32BigEndian(table.Span[4..]) == 0)
        {
            return new Track(duration, null, null);
        }
        var (codecTag, entry) = Boxes(table[8..], 6).FirstOrDefault();
        if (codecTag is null)
        {
            return new Track(duration, null, null);
        }
        var codec = CodecName(codecTag);
        var span = entry.Span;
        if (handler == "vide")
        {
            // VisualSampleEntry: 6 reserved, data reference index (2), 16 predefined, width (2), height (2).
            Need(span, 28, "video sample entry");
            return new Track(duration, new VideoTrack(codec, BinaryPrimitives.ReadUInt16BigEndian(span[24..]), BinaryPrimitives.ReadUInt16BigEndian(span[26..])), null);
        }
        if (handler == "soun")
        {
            // AudioSampleEntry: 6 reserved, data reference index (2), 8 reserved, channels (2), sample size (2), 4 reserved, rate (16.16).
            Need(span, 28, "audio sample entry");
            var channels = BinaryPrimitives.ReadUInt16BigEndian(span[16..]);
            var rate = (int)(BinaryPrimitives.ReadUInt32BigEndian(span[24..]) >> 16);
            return new Track(duration, null, new AudioTrack(codec, channels, rate));
        }
        return new Track(duration, null, null);
    }

    /// <summary>Duration from an <c>mvhd</c> or <c>mdhd</c> full box: version 0 has 32-bit times, version 1 64-bit.</summary>
    private static TimeSpan? HeaderDuration(ReadOnlyMemory<byte> box, string type)
    {
        var span = box.Span;
        Need(span, 1, type);
        uint timescale;
        ulong duration;
        if (span[0] == 1)
        {
            Need(span, 32, type);
            timescale = BinaryPrimitives.ReadUInt32BigEndian(span[20..]);
            duration = BinaryPrimitives.ReadUInt64BigEndian(span[24..]);
        }
        else
        {
            Need(span, 20, type);
            timescale = BinaryPrimitives.ReadUInt32BigEndian(span[12..]);
            duration = BinaryPrimitives.ReadUInt32BigEndian(span[16..]);
        }
        // All ones means "unknown"; a zero timescale cannot be divided by.
        if (timescale == 0 || duration == uint.MaxValue || duration == ulong.MaxValue)
        {
            return null;
        }
        var seconds = (double)duration / timescale;
        return seconds > TimeSpan.MaxValue.TotalSeconds / 2 ? throw new MediaFormatException($"'{type}' duration is absurd") : TimeSpan.FromSeconds(seconds);
    }

    private static ReadOnlyMemory<byte>? Child(ReadOnlyMemory<byte> parent, string wanted, int depth)
    {
        foreach (var (type, body) in Boxes(parent, depth))
        {
            if (type == wanted)
            {
                return body;
            }
        }
        return null;
    }

    /// <summary>The boxes inside a parent's body; a size that does not fit the parent is a format error.</summary>
    private static IEnumerable<(string Type, ReadOnlyMemory<byte> Body)> Boxes(ReadOnlyMemory<byte> parent, int depth)
    {
        if (depth > VideoProbe.MaxDepth)
        {
            throw new MediaFormatException($"boxes nested more than {VideoProbe.MaxDepth} deep");
        }
        var at = 0;
        while (at < parent.Length)
        {
            var rest = parent[at..];
            if (rest.Length < 8)
            {
                throw new MediaFormatException($"truncated box header ({rest.Length} bytes)");
            }
            var type = FourCc(rest.Span[4..8]);
            ulong size = BinaryPrimitives.ReadUInt32BigEndian(rest.Span);
            var headerSize = 8;
            if (size == 1)
            {
                if (rest.Length < 16)
                {
                    throw new MediaFormatException($"truncated large header of box '{type}'");
                }
                size = BinaryPrimitives.ReadUInt64BigEndian(rest.Span[8..]);
                headerSize = 16;
            }
            else if (size == 0)
            {
                size = (ulong)rest.Length;
            }
            if (size < (ulong)headerSize || size > (ulong)rest.Length)
            {
                throw new MediaFormatException($"box '{type}' has a size of {size:N0} that does not fit its parent ({rest.Length:N0} bytes)");
            }
            yield return (type, rest[headerSize..(int)size]);
            at += (int)size;
        }
    }

    private static void Need(ReadOnlySpan<byte> span, int bytes, string what)
    {
        if (span.Length < bytes)
        {
            throw new MediaFormatException($"'{what}' is {span.Length} bytes, shorter than its {bytes}-byte fixed part");
        }
    }

    /// <summary>A four-character code as text, with anything unprintable shown as '?'.</summary>
    private static string FourCc(ReadOnlySpan<byte> code)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            chars[i] = code[i] is >= 0x20 and < 0x7F ? (char)code[i] : '?';
        }
        return new string(chars);
    }

    /// <summary>The codec name ffprobe would give for a sample entry type.</summary>
    private static string CodecName(string tag) => tag switch
    {
        "avc1" or "avc3" => "h264",
        "hev1" or "hvc1" => "hevc",
        "vp08" => "vp8",
        "vp09" => "vp9",
        "av01" => "av1",
        "mp4v" => "mpeg4",
        "mp4a" => "aac",
        "Opus" => "opus",
        "fLaC" => "flac",
        "ac-3" => "ac3",
        "ec-3" => "eac3",
        ".mp3" => "mp3",
        _ => tag.Trim().ToLowerInvariant(),
    };
}
