using System.Text.Json.Serialization;

namespace Parley.Core.Videos;

/// <summary>
/// One file of a title, with what its headers say. <see cref="Id"/> is opaque, issued by the owner for this run.
/// <see cref="Width"/> and <see cref="Height"/> are what players show (after the pixel aspect and the
/// <see cref="Rotation"/>); <see cref="StoredWidth"/> and <see cref="StoredHeight"/> are the coded picture's.
/// A file that is not <see cref="Complete"/> was cut short after whole headers: players play its first part.
/// <see cref="Thumbnail"/> names its poster frame (the JPEG's SHA-256 in hex, fetched with a VideoThumbnailRequest), or is null while
/// the owner has none (no ffmpeg, not made yet, or ffmpeg could not read the file): then it is left out of the JSON, which stays
/// as an owner without thumbnails always wrote it.
/// </summary>
/// <remarks>The computed properties are part of the catalog's JSON (peers and the API see them), so their order matters to the wire bytes.</remarks>
public sealed record VideoVariant(string Id, string File, long Size, string Container, double? Duration, string VideoCodec, int Width, int Height,
    string? AudioCodec, int? Channels, int? SampleRate, int StoredWidth = 0, int StoredHeight = 0, int Rotation = 0, bool Complete = true,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Thumbnail = null)
{
    /// <summary>The resolution as people name it, from the shorter side of the picture shown (a portrait 720x1280 clip is 720p, as a landscape one is).</summary>
    public string Label => $"{Math.Min(Width, Height)}p";

    /// <summary>Average bits per second over the whole file, or null without a duration.</summary>
    public long? Bitrate => Duration is > 0 ? (long)(Size * 8 / Duration.Value) : null;

    public string MimeType => Container switch
    {
        "webm" => "video/webm",
        "matroska" => "video/x-matroska",
        _ => "video/mp4",
    };
}

/// <summary>A title and its resolution variants, lowest first (e.g. <c>dog</c> → 240p, 480p).</summary>
public sealed record VideoTitle(string Title, IReadOnlyList<VideoVariant> Variants);

/// <summary>A file with a video extension whose headers could not be read; the error says why.</summary>
public sealed record UnreadableVideo(string File, long Size, string Error);
