namespace Parley.Core.Videos;

/// <summary>One file of a title, with what its headers say. <see cref="Id"/> is opaque, issued by the owner for this run.</summary>
/// <remarks>The computed properties are part of the catalog's JSON (peers and the API see them), so their order matters to the wire bytes.</remarks>
public sealed record VideoVariant(string Id, string File, long Size, string Container, double? Duration, string VideoCodec, int Width, int Height,
    string? AudioCodec, int? Channels, int? SampleRate)
{
    /// <summary>The resolution as people name it, from the real picture height (not the file name).</summary>
    public string Label => $"{Height}p";

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
