using System.Text;
using static Parley.Core.Videos.Probes.Ebml;

namespace Parley.Core.Videos.Probes;

/// <summary>
/// Matroska and WebM headers (EBML): the EBML header's DocType, then the Segment's children are
/// walked by their headers until Info (timestamp scale, duration) and Tracks (codec ID, pixel
/// size, channels, sampling rate of each track entry) have both been read. Only the Segment and
/// a Cluster may have an unknown size (live streams); a Cluster ends the walk. A Segment cut short
/// after whole headers is readable but not <see cref="VideoFacts.Complete"/>. Tracks: <see cref="MatroskaTracks"/>.
/// </summary>
internal static class MatroskaProbe
{
    private const uint EbmlHeader = 0x1A45DFA3, DocType = 0x4282, Segment = 0x18538067, Info = 0x1549A966, Tracks = 0x1654AE6B,
        Cluster = 0x1F43B675, TimestampScale = 0x2AD7B1, DurationId = 0x4489;

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
            throw new MediaFormatException($"EBML document type '{MatroskaCodecs.Printable(docType)}' is not webm or matroska");
        }
        var segment = ReadHeader(stream, header.BodyStart + (long)header.Size.Value);
        if (segment.Id != Segment)
        {
            throw new MediaFormatException($"expected a Segment after the EBML header, found element 0x{segment.Id:X}");
        }
        // A Segment longer than the file was cut short: its headers may still be whole, and players play what is there.
        var complete = segment.Size is not { } size || size <= (ulong)(stream.Length - segment.BodyStart);
        var end = complete && segment.Size is { } known ? segment.BodyStart + (long)known : stream.Length;
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
                (video, audio) = MatroskaTracks.Read(VideoProbe.ReadBody(stream, child.BodyStart, childSize, "Tracks"));
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
        return new VideoFacts(docType, duration, video, audio) { Complete = complete };
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
}
