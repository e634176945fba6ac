using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>
/// A shared library as the owner sends it in a VideoList frame: UTF-8 JSON (web defaults, camelCase)
/// of this record. The receiver treats it as untrusted: <see cref="TryRead"/> checks every count,
/// length and number before anyone uses it.
/// </summary>
public sealed record VideoCatalog(IReadOnlyList<VideoTitle> Titles, IReadOnlyList<UnreadableVideo> Unreadable, bool Truncated = false)
    : IWireMessage<VideoCatalog>
{
    /// <summary>Most files listed; a bigger folder is listed in part, marked truncated.</summary>
    public const int MaxFiles = 2000;

    /// <summary>Longest file name or title, in characters.</summary>
    public const int MaxNameLength = 512;

    private const int MaxDepth = 8;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { MaxDepth = MaxDepth };

    public static readonly VideoCatalog Empty = new([], []);

    /// <summary>What fits in a VideoList frame after its request ID; the owner lists fewer titles rather than send more.</summary>
    public static int MaxSize => ProtocolLimits.MaxPayload - VideoRequestId.Size;

    public int FileCount => Titles.Sum(t => t.Variants.Count) + Unreadable.Count;

    public VideoVariant? FindVariant(string id) => Titles.SelectMany(t => t.Variants).FirstOrDefault(v => v.Id == id);

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out VideoCatalog message, out string error)
    {
        message = null;
        if (payload.Length > MaxSize)
        {
            error = $"video list of {payload.Length} bytes is over {MaxSize}";
            return false;
        }
        try
        {
            message = JsonSerializer.Deserialize<VideoCatalog>(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray(), Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            error = "malformed video list: " + e.Message;
            return false;
        }
        var problem = "empty";
        if (message is null || !VideoCatalogRules.Valid(message, out problem))
        {
            error = "malformed video list: " + problem;
            message = null;
            return false;
        }
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { MaxDepth = MaxDepth });
        JsonSerializer.Serialize(writer, this, Json);
    }
}

/// <summary>What a catalog from a peer must hold to be used: bounded counts and lengths, no control characters, sane numbers.</summary>
internal static class VideoCatalogRules
{
    public static bool Valid(VideoCatalog catalog, out string problem)
    {
        problem = "";
        // Every list is checked for null before FileCount walks them.
        if (catalog.Titles is null || catalog.Unreadable is null || catalog.Titles.Any(t => t?.Variants is null)
            || catalog.FileCount > VideoCatalog.MaxFiles)
        {
            problem = $"missing lists or more than {VideoCatalog.MaxFiles} files";
            return false;
        }
        foreach (var title in catalog.Titles)
        {
            if (title.Variants.Count == 0 || !Name(title.Title))
            {
                problem = "a title with no name or no variants";
                return false;
            }
            if (title.Variants.Any(v => !Valid(v)))
            {
                problem = $"a bad variant of '{title.Title}'";
                return false;
            }
        }
        if (catalog.Unreadable.Any(u => u is null || !Name(u.File) || u.Size < 0 || u.Error is null || u.Error.Length > VideoCatalog.MaxNameLength))
        {
            problem = "a bad unreadable entry";
            return false;
        }
        return true;
    }

    private static bool Valid(VideoVariant? v) =>
        v is not null && Guid.TryParseExact(v.Id, "N", out _) && Name(v.File) && v.Size >= 0 && Short(v.Container) && Short(v.VideoCodec)
        && v.Width is >= 0 and <= 65535 && v.Height is >= 0 and <= 65535 && v.Duration is null or (>= 0 and <= 1e9)
        && (v.AudioCodec is null || Short(v.AudioCodec)) && v.StoredWidth is >= 0 and <= 65535 && v.StoredHeight is >= 0 and <= 65535
        && v.Rotation is 0 or 90 or 180 or 270 && (v.Thumbnail is null || VideoThumbnailRequest.IsId(v.Thumbnail));

    private static bool Name(string? text) => !string.IsNullOrEmpty(text) && text.Length <= VideoCatalog.MaxNameLength && !text.Any(char.IsControl);

    private static bool Short(string? text) => !string.IsNullOrEmpty(text) && text.Length <= 32 && !text.Any(char.IsControl);
}
