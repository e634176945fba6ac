using System.Text.Json;
using Parley.Core.Protocol;

namespace Parley.Node.Videos;

/// <summary>One file of a title, with what its headers say. <see cref="Id"/> is opaque, issued by the owner for this run.</summary>
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

/// <summary>
/// A shared library as the owner sends it in a VideoList frame (UTF-8 JSON). The receiver treats it
/// as untrusted: <see cref="Decode"/> checks every count, length and number before anyone uses it.
/// </summary>
public sealed record VideoCatalog(IReadOnlyList<VideoTitle> Titles, IReadOnlyList<UnreadableVideo> Unreadable, bool Truncated = false)
{
    /// <summary>Most files listed; a bigger folder is listed in part, marked truncated.</summary>
    public const int MaxFiles = 2000;

    /// <summary>Longest file name or title, in characters.</summary>
    public const int MaxNameLength = 512;

    public static readonly VideoCatalog Empty = new([], []);

    public int FileCount => Titles.Sum(t => t.Variants.Count) + Unreadable.Count;

    public VideoVariant? FindVariant(string id) => Titles.SelectMany(t => t.Variants).FirstOrDefault(v => v.Id == id);

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static VideoCatalog Decode(ReadOnlySpan<byte> json)
    {
        VideoCatalog? catalog;
        try
        {
            catalog = JsonSerializer.Deserialize<VideoCatalog>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ProtocolException("malformed video list: " + e.Message);
        }
        if (catalog is null)
        {
            throw new ProtocolException("malformed video list: empty");
        }
        return catalog.Valid(out var problem) ? catalog : throw new ProtocolException("malformed video list: " + problem);
    }

    private bool Valid(out string problem)
    {
        problem = "";
        if (Titles is null || Unreadable is null || FileCount > MaxFiles)
        {
            problem = $"missing lists or more than {MaxFiles} files";
            return false;
        }
        foreach (var title in Titles)
        {
            if (title?.Variants is not { Count: > 0 } || !Name(title.Title))
            {
                problem = "a title with no name or no variants";
                return false;
            }
            foreach (var v in title.Variants)
            {
                if (v is null || !Guid.TryParseExact(v.Id, "N", out _) || !Name(v.File) || v.Size < 0 || !Short(v.Container) || !Short(v.VideoCodec)
                    || v.Width is < 0 or > 65535 || v.Height is < 0 or > 65535 || v.Duration is < 0 or > 1e9 || (v.AudioCodec is not null && !Short(v.AudioCodec)))
                {
                    problem = $"a bad variant of '{title.Title}'";
                    return false;
                }
            }
        }
        if (Unreadable.Any(u => u is null || !Name(u.File) || u.Size < 0 || u.Error is null || u.Error.Length > MaxNameLength))
        {
            problem = "a bad unreadable entry";
            return false;
        }
        return true;
    }

    private static bool Name(string? text) => !string.IsNullOrEmpty(text) && text.Length <= MaxNameLength && !text.Any(char.IsControl);

    private static bool Short(string? text) => !string.IsNullOrEmpty(text) && text.Length <= 32 && !text.Any(char.IsControl);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { MaxDepth = 8 };
}
