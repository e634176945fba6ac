using System.Text;

namespace Parley.Core.Videos.Probes;

/// <summary>The codec names ffprobe gives for Matroska codec IDs (its own table), so people see "mpeg2video", not "v_mpeg2".</summary>
internal static class MatroskaCodecs
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["V_VP8"] = "vp8", ["V_VP9"] = "vp9", ["V_AV1"] = "av1", ["V_MPEG4/ISO/AVC"] = "h264", ["V_MPEGH/ISO/HEVC"] = "hevc",
        ["V_MPEGI/ISO/VVC"] = "vvc", ["V_MPEG1"] = "mpeg1video", ["V_MPEG2"] = "mpeg2video", ["V_MPEG4/ISO/ASP"] = "mpeg4",
        ["V_MPEG4/ISO/AP"] = "mpeg4", ["V_MPEG4/ISO/SP"] = "mpeg4", ["V_MPEG4/MS/V3"] = "msmpeg4v3", ["V_THEORA"] = "theora",
        ["V_MJPEG"] = "mjpeg", ["V_PRORES"] = "prores", ["V_FFV1"] = "ffv1", ["V_DIRAC"] = "dirac", ["V_SNOW"] = "snow",
        ["V_UNCOMPRESSED"] = "rawvideo", ["V_REAL/RV10"] = "rv10", ["V_REAL/RV20"] = "rv20", ["V_REAL/RV30"] = "rv30", ["V_REAL/RV40"] = "rv40",
        ["A_OPUS"] = "opus", ["A_VORBIS"] = "vorbis", ["A_FLAC"] = "flac", ["A_MPEG/L1"] = "mp1", ["A_MPEG/L2"] = "mp2", ["A_MPEG/L3"] = "mp3",
        ["A_AC3"] = "ac3", ["A_EAC3"] = "eac3", ["A_DTS"] = "dts", ["A_TRUEHD"] = "truehd", ["A_MLP"] = "mlp", ["A_ALAC"] = "alac",
        ["A_TTA1"] = "tta", ["A_WAVPACK4"] = "wavpack", ["A_QUICKTIME/QDMC"] = "qdmc", ["A_QUICKTIME/QDM2"] = "qdm2",
    };

    /// <summary>AVI four-character codes found in <c>V_MS/VFW/FOURCC</c> tracks (a BITMAPINFOHEADER in CodecPrivate).</summary>
    private static readonly Dictionary<string, string> FourCcs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["H264"] = "h264", ["X264"] = "h264", ["AVC1"] = "h264", ["HEVC"] = "hevc", ["XVID"] = "mpeg4", ["DIVX"] = "mpeg4", ["DX50"] = "mpeg4",
        ["FMP4"] = "mpeg4", ["MP4V"] = "mpeg4", ["DIV3"] = "msmpeg4v3", ["MP43"] = "msmpeg4v3", ["MJPG"] = "mjpeg", ["MPG2"] = "mpeg2video",
        ["VP80"] = "vp8", ["VP90"] = "vp9", ["AV01"] = "av1", ["WMV3"] = "wmv3", ["WVC1"] = "vc1",
    };

    /// <summary>
    /// The name for <paramref name="codecId"/>; PCM takes its sample format from <paramref name="bitDepth"/>,
    /// and a VfW track its four-character code from <paramref name="codecPrivate"/>.
    /// </summary>
    public static string Name(string codecId, int bitDepth, ReadOnlySpan<byte> codecPrivate)
    {
        if (Names.TryGetValue(codecId, out var name))
        {
            return name;
        }
        return codecId switch
        {
            _ when codecId.StartsWith("A_AAC", StringComparison.Ordinal) => "aac",
            "A_PCM/INT/LIT" => bitDepth switch { 8 => "pcm_u8", 24 => "pcm_s24le", 32 => "pcm_s32le", _ => "pcm_s16le" },
            "A_PCM/INT/BIG" => bitDepth switch { 8 => "pcm_s8", 24 => "pcm_s24be", 32 => "pcm_s32be", _ => "pcm_s16be" },
            "A_PCM/FLOAT/IEEE" => bitDepth == 64 ? "pcm_f64le" : "pcm_f32le",
            "V_MS/VFW/FOURCC" when codecPrivate.Length >= 20 => VfwName(codecPrivate.Slice(16, 4)),
            _ => Printable(codecId).ToLowerInvariant(),
        };
    }

    private static string VfwName(ReadOnlySpan<byte> fourCc)
    {
        var code = Printable(Encoding.ASCII.GetString(fourCc));
        return FourCcs.TryGetValue(code, out var name) ? name : code.Trim().ToLowerInvariant();
    }

    public static string Printable(string text) => new([.. text.Take(32).Select(c => c is >= ' ' and < '\x7f' ? c : '?')]);

    /// <summary>The rotation a Matroska Projection's roll gives, as ffprobe reports it (mkvmerge's <c>--projection-pose-roll</c>).</summary>
    public static int RotationOf(double roll) => double.IsFinite(roll) ? VideoTrack.NormalRotation(roll) : 0;
}
