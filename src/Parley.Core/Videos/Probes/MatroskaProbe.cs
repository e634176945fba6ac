using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Parley.Core.Videos.Probes;

/// <summary>
/// Matroska and WebM headers (EBML): the EBML header's DocType, then the Segment's children are
/// walked by their headers until Info (timestamp scale, duration) and Tracks (codec ID, pixel
/// size, channels, sampling rate of each track entry) have both been read. Only the Segment and
/// a Cluster may have an unknown size (live streams); a Cluster ends the walk.
/// </summary>
internal static class MatroskaProbe
{
    private const uint EbmlHeader = 0x1A45DFA3, DocType = 0x4282, Segment = 0x18538067, Info = 0x1549A966, Tracks = 0x1654AE6B,
        Cluster = 0x1F43B675, TimestampScale = 0x2AD7B1, DurationId = 0x4489, TrackEntry = 0xAE, TrackType = 0x83, CodecId = 0x86,
        VideoSettings = 0xE0, PixelWidth = 0xB0, PixelHeight = 0xBA, AudioSettings = 0xE1, SamplingFrequency = 0xB5, Channels = 0x9F;

    /// <summary>An element header: its ID, where its body starts and its size (null when unknown).</summary>
    private readonly record struct Element(uint Id, long BodyStart, ulong? Size);

    public static VideoFacts Read(Stream stream)
    {
        var header = ReadHeader(stream, 0);
        var headerBody = VideoProbe.ReadBody(stream, header.BodyStart, header.Size ?? throw new MediaFormatException("EBML header of unknown size"), "the EBML header");
        var docType = "";
        foreach (var (id, body) in Children(headerBody, 1))
        {
            if (id == DocType)
            {
                docType = Encoding.ASCII.GetString(body.Span).TrimEnd('\0');
            }
        }
        if (docType is not ("webm" or "matroska"))
        {
            throw new MediaFormatException($"EBML document type '{Printable(docType)}' is not webm or matroska");
        }
        var segment = ReadHeader(stream, header.BodyStart + (long)header.Size.Value);
        if (segment.Id != Segment)
        {
            throw new MediaFormatException($"expected a Segment after the EBML header, found element 0x{segment.Id:X}");
        }
        var end = segment.Size is { } size ? segment.BodyStart + CheckedLength(stream, segment.BodyStart, size, "Segment") : stream.Length;
        double scale = 1_000_000, rawDuration = 0;
        VideoTrack? video = null;
        AudioTrack? audio = null;
        bool haveInfo = false, haveTracks = false;
        var at = segment.BodyStart;
        while (at < end && !(haveInfo && haveTracks))
        {
            var child = ReadHeader(stream, at);
            if (child.Id == Cluster)
            {
                break; // media data: the headers we need come before it in any file a muxer finished
            }
            var childSize = child.Size ?? throw new MediaFormatException($"element 0x{child.Id:X} inside the Segment has an unknown size");
            CheckedLength(stream, child.BodyStart, childSize, $"element 0x{child.Id:X}");
            if (child.Id == Info)
            {
                (scale, rawDuration) = ReadInfo(VideoProbe.ReadBody(stream, child.BodyStart, childSize, "Info"));
                haveInfo = true;
            }
            else if (child.Id == Tracks)
            {
                (video, audio) = ReadTracks(VideoProbe.ReadBody(stream, child.BodyStart, childSize, "Tracks"));
                haveTracks = true;
            }
            at = child.BodyStart + (long)childSize;
        }
        if (!haveTracks)
        {
            throw new MediaFormatException("no Tracks element before the media data");
        }
        var seconds = rawDuration * scale / 1e9;
        TimeSpan? duration = seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(seconds) : null;
        return new VideoFacts(docType, duration, video, audio);
    }

    private static (double Scale, double Duration) ReadInfo(byte[] info)
    {
        double scale = 1_000_000, duration = 0;
        foreach (var (id, body) in Children(info, 2))
        {
            if (id == TimestampScale)
            {
                scale = Unsigned(body.Span, "TimestampScale");
            }
            else if (id == DurationId)
            {
                duration = Float(body.Span, "Duration");
            }
        }
        return scale is > 0 and < 1e12 && double.IsFinite(duration) ? (scale, duration) : throw new MediaFormatException("Info has an impossible timestamp scale or duration");
    }

    private static (VideoTrack?, AudioTrack?) ReadTracks(byte[] tracks)
    {
        VideoTrack? video = null;
        AudioTrack? audio = null;
        foreach (var (id, entry) in Children(tracks, 2))
        {
            if (id != TrackEntry)
            {
                continue;
            }
            ulong type = 0;
            string codec = "";
            int width = 0, height = 0, channels = 1, rate = 8000;
            foreach (var (field, body) in Children(entry, 3))
            {
                switch (field)
                {
                    case TrackType:
                        type = Unsigned(body.Span, "TrackType");
                        break;
                    case CodecId:
                        codec = Encoding.ASCII.GetString(body.Span).TrimEnd('\0');
                        break;
                    case VideoSettings:
                        foreach (var (setting, value) in Children(body, 4))
                        {
                            width = setting == PixelWidth ? Dimension(value.Span, "PixelWidth") : width;
                            height = setting == PixelHeight ? Dimension(value.Span, "PixelHeight") : height;
                        }
                        break;
                    case AudioSettings:
                        foreach (var (setting, value) in Children(body, 4))
                        {
                            rate = setting == SamplingFrequency ? (int)Math.Clamp(Float(value.Span, "SamplingFrequency"), 0, 10_000_000) : rate;
                            channels = setting == Channels ? Dimension(value.Span, "Channels") : channels;
                        }
                        break;
                }
            }
            if (type == 1)
            {
                video ??= new VideoTrack(CodecName(codec), width, height);
            }
            else if (type == 2)
            {
                audio ??= new AudioTrack(CodecName(codec), channels, rate);
            }
        }
        return (video, audio);
    }

    /// <summary>The elements inside a body held in memory; sizes must be known and fit the parent.</summary>
    private static IEnumerable<(uint Id, ReadOnlyMemory<byte> Body)> Children(ReadOnlyMemory<byte> parent, int depth)
    {
        if (depth > VideoProbe.MaxDepth)
        {
            throw new MediaFormatException($"elements nested more than {VideoProbe.MaxDepth} deep");
        }
        var at = 0;
        while (at < parent.Length)
        {
            var (id, idLength) = ReadId(parent.Span[at..]);
            var (size, sizeLength) = ReadSize(parent.Span[(at + idLength)..]);
            var start = at + idLength + sizeLength;
            if (size is not { } known || known > (ulong)(parent.Length - start))
            {
                throw new MediaFormatException($"element 0x{id:X} does not fit its parent");
            }
            yield return (id, parent.Slice(start, (int)known));
            at = start + (int)known;
        }
    }

    private static Element ReadHeader(Stream stream, long offset)
    {
        Span<byte> bytes = stackalloc byte[12];
        var available = (int)Math.Min(bytes.Length, stream.Length - offset);
        if (available < 2)
        {
            throw new MediaFormatException($"truncated element header at offset {offset:N0}");
        }
        VideoProbe.ReadAt(stream, offset, bytes[..available]);
        var (id, idLength) = ReadId(bytes[..available]);
        var (size, sizeLength) = ReadSize(bytes[idLength..available]);
        return new Element(id, offset + idLength + sizeLength, size);
    }

    private static long CheckedLength(Stream stream, long start, ulong size, string what) =>
        size <= (ulong)(stream.Length - start) ? (long)size : throw new MediaFormatException($"truncated: {what} claims {size:N0} bytes but {stream.Length - start:N0} remain");

    /// <summary>An element ID: a variable-length integer of 1 to 4 bytes, marker bit kept.</summary>
    private static (uint Id, int Length) ReadId(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty || span[0] == 0)
        {
            throw new MediaFormatException("bad element ID");
        }
        var length = BitLength(span[0]);
        if (length > 4 || span.Length < length)
        {
            throw new MediaFormatException(length > 4 ? "element ID longer than 4 bytes" : "truncated element ID");
        }
        uint id = 0;
        for (var i = 0; i < length; i++)
        {
            id = (id << 8) | span[i];
        }
        return (id, length);
    }

    /// <summary>An element size: a variable-length integer of 1 to 8 bytes; all value bits set means unknown.</summary>
    private static (ulong? Size, int Length) ReadSize(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty || span[0] == 0)
        {
            throw new MediaFormatException(span.IsEmpty ? "truncated element size" : "element size longer than 8 bytes");
        }
        var length = BitLength(span[0]);
        if (span.Length < length)
        {
            throw new MediaFormatException("truncated element size");
        }
        ulong value = span[0] & (0xFFu >> length);
        for (var i = 1; i < length; i++)
        {
            value = (value << 8) | span[i];
        }
        var allOnes = (1UL << (7 * length)) - 1;
        return (value == allOnes ? null : value, length);
    }

    /// <summary>1 + the number of leading zero bits of a variable-length integer's first byte.</summary>
    private static int BitLength(byte first) => BitOperations.LeadingZeroCount((uint)first) - 24 + 1;

    private static ulong Unsigned(ReadOnlySpan<byte> body, string what)
    {
        if (body.Length > 8)
        {
            throw new MediaFormatException($"{what} is {body.Length} bytes, longer than an unsigned integer");
        }
        ulong value = 0;
        foreach (var b in body)
        {
            value = (value << 8) | b;
        }
        return value;
    }

    private static int Dimension(ReadOnlySpan<byte> body, string what) => (int)Math.Min(Unsigned(body, what), int.MaxValue);

    private static double Float(ReadOnlySpan<byte> body, string what) => body.Length switch
    {
        0 => 0,
        4 => BinaryPrimitives.ReadSingleBigEndian(body),
        8 => BinaryPrimitives.ReadDoubleBigEndian(body),
        _ => throw new MediaFormatException($"{what} is a float of {body.Length} bytes"),
    };

    private static string Printable(string text) => new([.. text.Take(32).Select(c => c is >= ' ' and < '\x7f' ? c : '?')]);

    /// <summary>The codec name ffprobe would give for a Matroska codec ID.</summary>
    private static string CodecName(string codecId) => codecId switch
    {
        "V_VP8" => "vp8",
        "V_VP9" => "vp9",
        "V_AV1" => "av1",
        "V_MPEG4/ISO/AVC" => "h264",
        "V_MPEGH/ISO/HEVC" => "hevc",
        "A_OPUS" => "opus",
        "A_VORBIS" => "vorbis",
        "A_FLAC" => "flac",
        "A_MPEG/L3" => "mp3",
        "A_AC3" => "ac3",
        _ when codecId.StartsWith("A_AAC", StringComparison.Ordinal) => "aac",
        _ => Printable(codecId).ToLowerInvariant(),
    };
}
