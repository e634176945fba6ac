using System.Buffers.Binary;

namespace Parley.Core.Videos.Probes;

/// <summary>
/// The first sample entry of a track's <c>stsd</c>: its fixed part (sizes, channels, rate) and the
/// boxes after it that correct it — <c>pasp</c> (pixel aspect), <c>esds</c> (the MPEG-4 decoder
/// config: the real codec of <c>mp4a</c>/<c>mp4v</c>, and AAC's real channels and rate, since muxers
/// write 2 channels in the fixed part whatever the stream holds), <c>dOps</c> (Opus).
/// </summary>
internal static class Mp4SampleEntry
{
    /// <summary>VisualSampleEntry's fixed part: reserved, data reference, predefined, width, height, resolutions, frame count, compressor name, depth.</summary>
    private const int VisualFixed = 78;

    public static VideoTrack Video(string tag, ReadOnlySpan<byte> entry, int rotation)
    {
        Mp4Boxes.Need(entry, VisualFixed, "video sample entry");
        var width = BinaryPrimitives.ReadUInt16BigEndian(entry[24..]);
        var height = BinaryPrimitives.ReadUInt16BigEndian(entry[26..]);
        int? objectType = null;
        (int, int) aspect = (1, 1);
        foreach (var (type, body) in Mp4Boxes.Children(entry[VisualFixed..].ToArray(), 7, trailingPadding: true))
        {
            if (type == "pasp" && body.Length >= 8)
            {
                var (h, v) = (BinaryPrimitives.ReadUInt32BigEndian(body.Span), BinaryPrimitives.ReadUInt32BigEndian(body.Span[4..]));
                aspect = h is > 0 and <= 65535 && v is > 0 and <= 65535 ? ((int)h, (int)v) : (1, 1);
            }
            else if (type == "esds")
            {
                objectType = Esds.Read(body.Span).ObjectType;
            }
        }
        return new VideoTrack(Mp4Codecs.Name(tag, objectType), width, height) { Rotation = rotation, PixelAspect = aspect };
    }

    public static AudioTrack Audio(string tag, ReadOnlySpan<byte> entry)
    {
        // AudioSampleEntry: reserved (6), data reference (2), version (2), revision (2), vendor (4), then by version:
        // 0: channels (2), sample size (2), compression (2), packet size (2), rate 16.16 (4); 1 (QuickTime) adds 16 bytes;
        // 2 (QuickTime) has its rate as a double at 24 and its channels as a u32 at 32 of a 64-byte fixed part.
        Mp4Boxes.Need(entry, 28, "audio sample entry");
        var version = BinaryPrimitives.ReadUInt16BigEndian(entry[8..]);
        int channels, rate, fixedPart;
        if (version == 2)
        {
            Mp4Boxes.Need(entry, 64, "version 2 audio sample entry");
            var exact = BinaryPrimitives.ReadDoubleBigEndian(entry[24..]);
            rate = double.IsFinite(exact) ? (int)Math.Clamp(exact, 0, 10_000_000) : 0;
            channels = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(entry[32..]), 255);
            fixedPart = 64;
        }
        else
        {
            channels = BinaryPrimitives.ReadUInt16BigEndian(entry[16..]);
            rate = (int)(BinaryPrimitives.ReadUInt32BigEndian(entry[24..]) >> 16);
            fixedPart = version == 1 ? 44 : 28;
        }
        int? objectType = null;
        if (entry.Length > fixedPart)
        {
            foreach (var (type, body) in Extensions(entry[fixedPart..].ToArray()))
            {
                if (type == "esds")
                {
                    var config = Esds.Read(body.Span);
                    objectType = config.ObjectType;
                    (channels, rate) = (config.Channels ?? channels, config.SampleRate ?? rate);
                }
                else if (type == "dOps" && body.Length >= 8)
                {
                    // Opus: version (1), output channel count (1), pre-skip (2), input rate (4); decoders always run at 48 kHz.
                    (channels, rate) = (body.Span[1], 48000);
                }
            }
        }
        return new AudioTrack(Mp4Codecs.Name(tag, objectType), channels, rate);
    }

    /// <summary>The boxes after an audio entry's fixed part, looking inside QuickTime's <c>wave</c> box (where MOV keeps its <c>esds</c>).</summary>
    private static IEnumerable<(string Type, ReadOnlyMemory<byte> Body)> Extensions(ReadOnlyMemory<byte> boxes)
    {
        foreach (var (type, body) in Mp4Boxes.Children(boxes, 7, trailingPadding: true))
        {
            if (type == "wave")
            {
                foreach (var inner in Mp4Boxes.Children(body, 8))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return (type, body);
            }
        }
    }
}
