using System.Buffers.Binary;
using System.Text;

namespace Parley.Core.Videos.Probes;

/// <summary>
/// ISO BMFF (MP4, MOV) headers: the top-level boxes are walked by their headers alone; <c>moov</c> is
/// read whole (capped) and walked in memory: <c>mvhd</c> for the duration, and for each <c>trak</c>
/// <c>tkhd</c> (enabled flag, display matrix), <c>hdlr</c> (its kind), <c>mdhd</c> (its duration) and
/// the first <c>stsd</c> sample entry (see <see cref="Mp4SampleEntry"/>). Fragmented files take their
/// duration from <see cref="Mp4Fragments"/>. A file cut short after a whole <c>moov</c> is readable
/// but not <see cref="VideoFacts.Complete"/>, as players play its first part.
/// </summary>
internal static class Mp4Probe
{
    private static readonly string[] TopLevelTypes = ["ftyp", "moov", "mdat", "free", "skip", "wide", "pdin", "styp", "sidx", "moof", "uuid", "meta"];

    /// <summary>Most <c>moof</c> boxes read for a duration (a two-hour film in one-second fragments has 7,200), and the most bytes read for them and for <c>sidx</c>.</summary>
    private const int MaxFragments = 100_000, MaxIndexBytes = 16 << 20;

    /// <summary>A first box header naming a known top-level type.</summary>
    public static bool LooksLikeMp4(ReadOnlySpan<byte> start) => TopLevelTypes.Contains(Encoding.ASCII.GetString(start.Slice(4, 4)));

    private sealed class TopLevel
    {
        public string Container = "mp4";
        public byte[]? Moov;
        public bool Complete = true;
        public readonly List<(long Offset, long Size)> Fragments = [];
        public readonly List<byte[]> Indexes = [];
        public long IndexBytes;
    }

    public static VideoFacts Read(Stream stream)
    {
        var top = Walk(stream);
        if (top.Moov is null)
        {
            throw new MediaFormatException("no 'moov' box: not a complete MP4");
        }
        return ReadMovie(stream, top);
    }

    private static TopLevel Walk(Stream stream)
    {
        var top = new TopLevel();
        var length = stream.Length;
        long offset = 0;
        Span<byte> header = stackalloc byte[16];
        while (offset < length)
        {
            var remaining = length - offset;
            if (remaining < 8)
            {
                return Truncated(top, $"truncated: {remaining} stray bytes after the last box");
            }
            VideoProbe.ReadAt(stream, offset, header[..8]);
            var type = Mp4Boxes.FourCc(header[4..8]);
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
            if (size < (ulong)headerSize)
            {
                throw new MediaFormatException($"box '{type}' at offset {offset:N0} has an impossible size of {size:N0}");
            }
            if (size > (ulong)remaining)
            {
                return Truncated(top, $"truncated: box '{type}' at offset {offset:N0} claims {size:N0} bytes but {remaining:N0} remain");
            }
            var body = size - (ulong)headerSize;
            switch (type)
            {
                case "ftyp" when size >= 12:
                    VideoProbe.ReadAt(stream, offset + headerSize, header[..4]);
                    top.Container = Mp4Boxes.FourCc(header[..4]) == "qt  " ? "mov" : "mp4";
                    break;
                case "moov":
                    top.Moov = top.Moov is null
                        ? VideoProbe.ReadBody(stream, offset + headerSize, body, "the 'moov' box")
                        : throw new MediaFormatException("two 'moov' boxes");
                    break;
                case "moof" when top.Fragments.Count < MaxFragments:
                    top.Fragments.Add((offset + headerSize, (long)body));
                    break;
                case "sidx" when top.IndexBytes + (long)body <= MaxIndexBytes:
                    top.Indexes.Add(VideoProbe.ReadBody(stream, offset + headerSize, body, "a 'sidx' box"));
                    top.IndexBytes += (long)body;
                    break;
            }
            offset += (long)size;
        }
        return top;
    }

    /// <summary>A file cut short: playable from its start if its <c>moov</c> came before the cut, else unreadable.</summary>
    private static TopLevel Truncated(TopLevel top, string reason)
    {
        top.Complete = false;
        return top.Moov is not null ? top : throw new MediaFormatException(reason + ", and its index ('moov') was not before the cut");
    }

    private readonly record struct Track(uint Id, uint Timescale, TimeSpan? Duration, bool Enabled, VideoTrack? Video, AudioTrack? Audio);

    private static VideoFacts ReadMovie(Stream stream, TopLevel top)
    {
        TimeSpan? duration = null;
        uint movieTimescale = 0;
        ReadOnlyMemory<byte>? mvex = null;
        var tracks = new List<Track>();
        foreach (var (type, body) in Mp4Boxes.Children(top.Moov!, 1))
        {
            switch (type)
            {
                case "mvhd":
                    (movieTimescale, var units) = TimedHeader(body.Span, "mvhd");
                    duration = Mp4Fragments.Seconds(units, movieTimescale);
                    break;
                case "trak":
                    tracks.Add(ReadTrack(stream, body));
                    break;
                case "mvex":
                    mvex = body;
                    break;
            }
        }
        duration = Longest(duration, tracks.Max(t => t.Duration));
        if (mvex is { } extends)
        {
            duration = Longest(duration, FragmentedDuration(stream, top, extends, movieTimescale, tracks));
        }
        // The track players pick: the first enabled one of its kind (ffprobe's "default"), else the first.
        var video = tracks.Where(t => t.Video is not null).OrderBy(t => t.Enabled ? 0 : 1).Select(t => t.Video).FirstOrDefault();
        var audio = tracks.Where(t => t.Audio is not null).OrderBy(t => t.Enabled ? 0 : 1).Select(t => t.Audio).FirstOrDefault();
        return new VideoFacts(top.Container, duration, video, audio) { Complete = top.Complete };
    }

    private static TimeSpan? Longest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static TimeSpan? FragmentedDuration(Stream stream, TopLevel top, ReadOnlyMemory<byte> mvex, uint movieTimescale, List<Track> tracks)
    {
        var best = Mp4Fragments.FromMehd(mvex, movieTimescale);
        foreach (var sidx in top.Indexes)
        {
            best = Longest(best, Mp4Fragments.FromSidx(sidx));
        }
        var defaults = Mp4Fragments.DefaultDurations(mvex);
        var ends = new Dictionary<uint, ulong>();
        long read = 0;
        foreach (var (offset, size) in top.Fragments)
        {
            if ((read += size) > MaxIndexBytes)
            {
                break;
            }
            Mp4Fragments.AddFragment(VideoProbe.ReadBody(stream, offset, (ulong)size, "a 'moof' box"), defaults, ends);
        }
        foreach (var track in tracks)
        {
            if (ends.TryGetValue(track.Id, out var end))
            {
                best = Longest(best, Mp4Fragments.Seconds(end, track.Timescale));
            }
        }
        return best;
    }

    private static Track ReadTrack(Stream stream, ReadOnlyMemory<byte> trak)
    {
        var (id, enabled, rotation) = Mp4Boxes.Child(trak, "tkhd", 2) is { } tkhd ? TrackHeader(tkhd.Span) : (0u, true, 0);
        var mdia = Mp4Boxes.Child(trak, "mdia", 2);
        if (mdia is null)
        {
            return new Track(id, 0, null, enabled, null, null);
        }
        var handler = Mp4Boxes.Child(mdia.Value, "hdlr", 3) is { Length: >= 12 } hdlr ? Mp4Boxes.FourCc(hdlr.Span[8..12]) : "";
        var (timescale, units) = Mp4Boxes.Child(mdia.Value, "mdhd", 3) is { } mdhd ? TimedHeader(mdhd.Span, "mdhd") : (0u, 0ul);
        var track = new Track(id, timescale, Mp4Fragments.Seconds(units, timescale), enabled, null, null);
        var stbl = Mp4Boxes.Child(mdia.Value, "minf", 3) is { } minf ? Mp4Boxes.Child(minf, "stbl", 4) : null;
        if (stbl is not { } samples || Mp4Boxes.Child(samples, "stsd", 5) is not { Length: >= 8 } table || BinaryPrimitives.ReadUInt32BigEndian(table.Span[4..]) == 0)
        {
            return track;
        }
        var (codecTag, entry) = Mp4Boxes.Children(table[8..], 6).FirstOrDefault();
        return (handler, codecTag) switch
        {
            (_, null) => track,
            ("vide", _) => track with { Video = Mp4SampleEntry.Video(codecTag, entry.Span, rotation) },
            ("soun", _) => track with { Audio = Mp3Frames.Correct(Mp4SampleEntry.Audio(codecTag, entry.Span), stream, samples) },
            _ => track,
        };
    }

    /// <summary><c>tkhd</c>: track ID, the enabled flag, and the display matrix's rotation as ffprobe reports it (degrees, 0–270).</summary>
    private static (uint Id, bool Enabled, int Rotation) TrackHeader(ReadOnlySpan<byte> tkhd)
    {
        var flags = Mp4Boxes.Flags(tkhd, "tkhd");
        var version1 = tkhd[0] == 1;
        var matrixAt = version1 ? 52 : 40;
        Mp4Boxes.Need(tkhd, matrixAt + 36, "tkhd");
        var id = BinaryPrimitives.ReadUInt32BigEndian(tkhd[(version1 ? 20 : 12)..]);
        // The matrix's first row (a, b) is the picture's x axis after display: its angle, negated, is
        // the rotation ffmpeg reports (atan2 of b over a; 16.16 fixed point, so only the ratio matters).
        var a = BinaryPrimitives.ReadInt32BigEndian(tkhd[matrixAt..]);
        var b = BinaryPrimitives.ReadInt32BigEndian(tkhd[(matrixAt + 4)..]);
        var rotation = a == 0 && b == 0 ? 0 : VideoTrack.NormalRotation(-Math.Atan2(b, a) * 180 / Math.PI);
        return (id, (flags & 1) != 0, rotation);
    }

    /// <summary>The timescale and duration of an <c>mvhd</c> or <c>mdhd</c> full box: version 0 has 32-bit times, version 1 64-bit.</summary>
    private static (uint Timescale, ulong Duration) TimedHeader(ReadOnlySpan<byte> box, string type)
    {
        Mp4Boxes.Need(box, 1, type);
        if (box[0] == 1)
        {
            Mp4Boxes.Need(box, 32, type);
            return (BinaryPrimitives.ReadUInt32BigEndian(box[20..]), BinaryPrimitives.ReadUInt64BigEndian(box[24..]));
        }
        Mp4Boxes.Need(box, 20, type);
        return (BinaryPrimitives.ReadUInt32BigEndian(box[12..]), BinaryPrimitives.ReadUInt32BigEndian(box[16..]));
    }
}
