using System.Buffers.Binary;

namespace Parley.Core.Videos.Probes;

/// <summary>
/// How long a fragmented MP4 runs. Its <c>moov</c> says nothing (or only its first fragment), so the
/// duration comes from whichever the muxer wrote: <c>mvex/mehd</c> (the whole duration), a global
/// <c>sidx</c> (the durations of every subsegment), or else the fragments themselves (each
/// <c>moof</c>'s decode time plus its samples' durations), as players find it.
/// </summary>
internal static class Mp4Fragments
{
    /// <summary>The fragment duration in <c>mehd</c> (in the movie's timescale), or null.</summary>
    public static TimeSpan? FromMehd(ReadOnlyMemory<byte> mvex, uint movieTimescale)
    {
        if (Mp4Boxes.Child(mvex, "mehd", 2) is not { } mehd || mehd.Length < 8)
        {
            return null;
        }
        var span = mehd.Span;
        var duration = span[0] == 1 ? (span.Length >= 12 ? BinaryPrimitives.ReadUInt64BigEndian(span[4..]) : 0) : BinaryPrimitives.ReadUInt32BigEndian(span[4..]);
        return Seconds(duration, movieTimescale);
    }

    /// <summary>The total of a <c>sidx</c>'s subsegment durations from its earliest presentation time, or null.</summary>
    public static TimeSpan? FromSidx(ReadOnlySpan<byte> sidx)
    {
        // version/flags (4), reference ID (4), timescale (4), earliest time and first offset (4+4, or 8+8 in version 1), reserved (2), count (2).
        if (sidx.Length < 24)
        {
            return null;
        }
        var timescale = BinaryPrimitives.ReadUInt32BigEndian(sidx[8..]);
        var version1 = sidx[0] == 1;
        var countAt = version1 ? 30 : 22;
        if (sidx.Length < countAt + 2)
        {
            return null;
        }
        ulong total = version1 ? BinaryPrimitives.ReadUInt64BigEndian(sidx[12..]) : BinaryPrimitives.ReadUInt32BigEndian(sidx[12..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(sidx[countAt..]);
        var references = sidx[(countAt + 2)..];
        if (references.Length < count * 12)
        {
            return null;
        }
        for (var i = 0; i < count; i++)
        {
            total += BinaryPrimitives.ReadUInt32BigEndian(references[(i * 12 + 4)..]);
        }
        return Seconds(total, timescale);
    }

    /// <summary>Default sample durations per track from <c>mvex/trex</c>, for fragments that do not give their own.</summary>
    public static Dictionary<uint, uint> DefaultDurations(ReadOnlyMemory<byte> mvex)
    {
        var defaults = new Dictionary<uint, uint>();
        foreach (var (type, body) in Mp4Boxes.Children(mvex, 2))
        {
            if (type == "trex" && body.Length >= 16)
            {
                defaults[BinaryPrimitives.ReadUInt32BigEndian(body.Span[4..])] = BinaryPrimitives.ReadUInt32BigEndian(body.Span[12..]);
            }
        }
        return defaults;
    }

    /// <summary>Adds one <c>moof</c>'s track fragments to <paramref name="ends"/>: per track, where its media now ends (in its timescale).</summary>
    public static void AddFragment(ReadOnlyMemory<byte> moof, Dictionary<uint, uint> defaults, Dictionary<uint, ulong> ends)
    {
        foreach (var (type, traf) in Mp4Boxes.Children(moof, 1))
        {
            if (type != "traf" || Mp4Boxes.Child(traf, "tfhd", 2) is not { Length: >= 8 } tfhd)
            {
                continue;
            }
            var flags = Mp4Boxes.Flags(tfhd.Span, "tfhd");
            var track = BinaryPrimitives.ReadUInt32BigEndian(tfhd.Span[4..]);
            // Optional fields after the track ID: base data offset (8), description index (4), default duration (4).
            var at = 8 + ((flags & 0x01) != 0 ? 8 : 0) + ((flags & 0x02) != 0 ? 4 : 0);
            var fallback = (flags & 0x08) != 0 && tfhd.Length >= at + 4 ? BinaryPrimitives.ReadUInt32BigEndian(tfhd.Span[at..]) : defaults.GetValueOrDefault(track);
            ends.TryGetValue(track, out var end);
            if (Mp4Boxes.Child(traf, "tfdt", 2) is { Length: >= 8 } tfdt)
            {
                end = tfdt.Span[0] == 1 && tfdt.Length >= 12 ? BinaryPrimitives.ReadUInt64BigEndian(tfdt.Span[4..]) : BinaryPrimitives.ReadUInt32BigEndian(tfdt.Span[4..]);
            }
            foreach (var (child, trun) in Mp4Boxes.Children(traf, 2))
            {
                end += child == "trun" ? RunDuration(trun.Span, fallback) : 0;
            }
            ends[track] = Math.Max(end, ends.GetValueOrDefault(track));
        }
    }

    /// <summary>A <c>trun</c>'s total sample duration; its sample count is checked against its size before the walk.</summary>
    private static ulong RunDuration(ReadOnlySpan<byte> trun, uint fallback)
    {
        var flags = Mp4Boxes.Flags(trun, "trun");
        Mp4Boxes.Need(trun, 8, "trun");
        var count = BinaryPrimitives.ReadUInt32BigEndian(trun[4..]);
        var at = 8 + ((flags & 0x01) != 0 ? 4 : 0) + ((flags & 0x04) != 0 ? 4 : 0);
        var perSample = 4 * (((flags >> 8) & 1) + ((flags >> 9) & 1) + ((flags >> 10) & 1) + ((flags >> 11) & 1));
        if ((flags & 0x100) == 0)
        {
            return (ulong)count * fallback;
        }
        if (at > trun.Length || (ulong)count * perSample > (ulong)(trun.Length - at))
        {
            throw new MediaFormatException($"'trun' claims {count:N0} samples but holds {trun.Length:N0} bytes");
        }
        ulong total = 0;
        for (var i = 0; i < count; i++, at += (int)perSample)
        {
            total += BinaryPrimitives.ReadUInt32BigEndian(trun[at..]);
        }
        return total;
    }

    public static TimeSpan? Seconds(ulong duration, uint timescale)
    {
        if (timescale == 0 || duration == 0 || duration == uint.MaxValue || duration == ulong.MaxValue)
        {
            return null;
        }
        var seconds = (double)duration / timescale;
        return seconds > TimeSpan.MaxValue.TotalSeconds / 2 ? throw new MediaFormatException("a duration is absurd") : TimeSpan.FromSeconds(seconds);
    }
}
