namespace Parley.Core.Videos.Probes;

/// <summary>The codec names ffprobe gives, from an MP4 sample entry type and, for the MPEG-4 generic entries, the esds object type.</summary>
internal static class Mp4Codecs
{
    /// <summary>MPEG-4 AAC, and MPEG-2 AAC main, LC and SSR.</summary>
    public static bool IsAac(int objectType) => objectType is 0x40 or 0x66 or 0x67 or 0x68;

    public static string Name(string tag, int? objectType) => tag switch
    {
        "mp4a" => objectType switch
        {
            null => "aac",
            _ when IsAac(objectType.Value) => "aac",
            0x69 or 0x6B => "mp3", // MPEG-2 and MPEG-1 audio: what muxers write for MP3
            0xA5 => "ac3",
            0xA6 => "eac3",
            0xA9 => "dts",
            0xAD => "opus",
            0xDD => "vorbis",
            _ => $"mp4a-{objectType:x2}",
        },
        "mp4v" => objectType switch
        {
            null or 0x20 => "mpeg4",
            >= 0x60 and <= 0x65 => "mpeg2video",
            0x6A => "mpeg1video",
            0x6C => "mjpeg",
            _ => $"mp4v-{objectType:x2}",
        },
        "avc1" or "avc3" => "h264",
        "hev1" or "hvc1" or "dvh1" or "dvhe" => "hevc",
        "vp08" => "vp8",
        "vp09" => "vp9",
        "av01" => "av1",
        "jpeg" or "mjpa" => "mjpeg",
        "apch" or "apcn" or "apcs" or "apco" or "ap4h" or "ap4x" => "prores",
        "mp2v" or "xdvd" or "hdv2" => "mpeg2video",
        "Opus" => "opus",
        "fLaC" => "flac",
        "alac" => "alac",
        "ac-3" => "ac3",
        "ec-3" => "eac3",
        ".mp3" => "mp3",
        "sowt" => "pcm_s16le",
        "twos" => "pcm_s16be",
        "ulaw" => "pcm_mulaw",
        "alaw" => "pcm_alaw",
        _ => tag.Trim().ToLowerInvariant(),
    };
}
