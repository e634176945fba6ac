using System.Text;
using static Parley.Core.Videos.Probes.Ebml;

namespace Parley.Core.Videos.Probes;

/// <summary>
/// Matroska's Tracks element: each TrackEntry's type, flags, codec and settings. The track reported of
/// each kind is the one players pick: enabled and flagged default, else the first.
/// </summary>
internal static class MatroskaTracks
{
    private const uint TrackEntry = 0xAE, TrackType = 0x83, CodecId = 0x86, VideoSettings = 0xE0, PixelWidth = 0xB0, PixelHeight = 0xBA,
        AudioSettings = 0xE1, SamplingFrequency = 0xB5, Channels = 0x9F, FlagDefault = 0x88, FlagEnabled = 0xB9, CodecPrivate = 0x63A2,
        BitDepth = 0x6264, DisplayWidth = 0x54B0, DisplayHeight = 0x54BA, DisplayUnit = 0x54B2, Projection = 0x7670, ProjectionPoseRoll = 0x7675;

    public static (VideoTrack?, AudioTrack?) Read(byte[] tracks)
    {
        var entries = new List<(ulong Type, bool Picked, VideoTrack? Video, AudioTrack? Audio)>();
        foreach (var (id, entry) in Children(tracks, 2))
        {
            if (id == TrackEntry)
            {
                entries.Add(ReadTrackEntry(entry));
            }
        }
        var video = entries.Where(e => e.Video is not null).OrderBy(e => e.Picked ? 0 : 1).Select(e => e.Video).FirstOrDefault();
        var audio = entries.Where(e => e.Audio is not null).OrderBy(e => e.Picked ? 0 : 1).Select(e => e.Audio).FirstOrDefault();
        return (video, audio);
    }

    private static (ulong Type, bool Picked, VideoTrack? Video, AudioTrack? Audio) ReadTrackEntry(ReadOnlyMemory<byte> entry)
    {
        ulong type = 0, isDefault = 1, enabled = 1;
        string codec = "";
        ReadOnlyMemory<byte> codecPrivate = default;
        var picture = new Picture();
        int channels = 1, rate = 8000, bitDepth = 0;
        foreach (var (field, body) in Children(entry, 3))
        {
            switch (field)
            {
                case TrackType:
                    type = Unsigned(body.Span, "TrackType");
                    break;
                case FlagDefault:
                    isDefault = Unsigned(body.Span, "FlagDefault");
                    break;
                case FlagEnabled:
                    enabled = Unsigned(body.Span, "FlagEnabled");
                    break;
                case CodecId:
                    codec = Encoding.ASCII.GetString(body.Span).TrimEnd('\0');
                    break;
                case CodecPrivate:
                    codecPrivate = body;
                    break;
                case VideoSettings:
                    picture = ReadPicture(body);
                    break;
                case AudioSettings:
                    foreach (var (setting, value) in Children(body, 4))
                    {
                        rate = setting == SamplingFrequency && Float(value.Span, "SamplingFrequency") is var hz ? (double.IsFinite(hz) ? (int)Math.Clamp(hz, 0, 10_000_000) : 0) : rate;
                        channels = setting == Channels ? Dimension(value.Span, "Channels") : channels;
                        bitDepth = setting == BitDepth ? Dimension(value.Span, "BitDepth") : bitDepth;
                    }
                    break;
            }
        }
        var name = MatroskaCodecs.Name(codec, bitDepth, codecPrivate.Span);
        var picked = isDefault != 0 && enabled != 0;
        return type switch
        {
            1 => (type, picked, picture.Track(name), null),
            2 => (type, picked, null, new AudioTrack(name, channels, rate)),
            _ => (type, picked, null, null),
        };
    }

    /// <summary>A video track's Video element: pixel size, display size (its aspect) and the Projection's roll.</summary>
    private sealed class Picture
    {
        public int Width, Height, DisplayWidth, DisplayHeight;
        public ulong DisplayUnit;
        public int Rotation;

        public VideoTrack Track(string codec)
        {
            // DisplayWidth/Height in pixels (unit 0) or as an aspect ratio (unit 3) stretch the picture: one
            // pixel is (DisplayWidth / Width) over (DisplayHeight / Height) wide, as ffmpeg reads it.
            var aspect = (DisplayUnit is 0 or 3) && DisplayWidth > 0 && DisplayHeight > 0 && Width > 0 && Height > 0
                ? Reduce((long)DisplayWidth * Height, (long)DisplayHeight * Width)
                : (1, 1);
            return new VideoTrack(codec, Width, Height) { Rotation = Rotation, PixelAspect = aspect };
        }
    }

    private static Picture ReadPicture(ReadOnlyMemory<byte> video)
    {
        var picture = new Picture();
        foreach (var (setting, value) in Children(video, 4))
        {
            switch (setting)
            {
                case PixelWidth:
                    picture.Width = Dimension(value.Span, "PixelWidth");
                    break;
                case PixelHeight:
                    picture.Height = Dimension(value.Span, "PixelHeight");
                    break;
                case DisplayWidth:
                    picture.DisplayWidth = Dimension(value.Span, "DisplayWidth");
                    break;
                case DisplayHeight:
                    picture.DisplayHeight = Dimension(value.Span, "DisplayHeight");
                    break;
                case DisplayUnit:
                    picture.DisplayUnit = Unsigned(value.Span, "DisplayUnit");
                    break;
                case Projection:
                    foreach (var (field, body) in Children(value, 5))
                    {
                        picture.Rotation = field == ProjectionPoseRoll ? MatroskaCodecs.RotationOf(Float(body.Span, "ProjectionPoseRoll")) : picture.Rotation;
                    }
                    break;
            }
        }
        return picture;
    }

    /// <summary>A ratio in lowest terms, each part within 16 bits (as a pixel aspect is kept).</summary>
    private static (int, int) Reduce(long a, long b)
    {
        var divisor = (long)System.Numerics.BigInteger.GreatestCommonDivisor(a, b);
        (a, b) = (a / divisor, b / divisor);
        while (a > 65535 || b > 65535)
        {
            (a, b) = (Math.Max(1, a / 2), Math.Max(1, b / 2));
        }
        return ((int)a, (int)b);
    }
}
