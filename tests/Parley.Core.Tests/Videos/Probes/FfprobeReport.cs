using System.Globalization;
using System.Text.Json;
using Parley.Testing;

namespace Parley.Core.Tests.Videos.Probes;

/// <summary>What ffprobe says about a file's picked streams (the first flagged default of each kind, else the first): the yardstick.</summary>
internal sealed record FfprobeReport(string[] Formats, double? Duration, string VideoCodec, int Width, int Height, int Rotation, double? DisplayAspect,
    string? AudioCodec, int? Channels, int? SampleRate)
{
    public static async Task<FfprobeReport> ReadAsync(string path)
    {
        using var document = JsonDocument.Parse(await TestVideos.RunAsync("ffprobe", $"-v error -show_streams -show_format -of json {path}"));
        var root = document.RootElement;
        var streams = root.GetProperty("streams").EnumerateArray().ToList();
        var video = Picked(streams, "video") ?? throw new InvalidOperationException($"ffprobe finds no video in {path}");
        var audio = Picked(streams, "audio");
        var format = root.GetProperty("format");
        return new FfprobeReport(
            format.GetProperty("format_name").GetString()!.Split(','),
            format.TryGetProperty("duration", out var duration) ? Number(duration) : null,
            video.GetProperty("codec_name").GetString()!, video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32(),
            RotationOf(video), Aspect(video),
            audio?.GetProperty("codec_name").GetString(), audio?.GetProperty("channels").GetInt32(),
            audio is { } a ? (int)Number(a.GetProperty("sample_rate")) : null);
    }

    private static JsonElement? Picked(List<JsonElement> streams, string kind)
    {
        var ofKind = streams.Where(s => s.GetProperty("codec_type").GetString() == kind).ToList();
        var picked = ofKind.FirstOrDefault(s => s.TryGetProperty("disposition", out var d) && d.GetProperty("default").GetInt32() == 1);
        return picked.ValueKind != JsonValueKind.Undefined ? picked : ofKind.Count > 0 ? ofKind[0] : null;
    }

    /// <summary>The display matrix's rotation, normalized to 0–270.</summary>
    private static int RotationOf(JsonElement video)
    {
        if (!video.TryGetProperty("side_data_list", out var sides))
        {
            return 0;
        }
        foreach (var side in sides.EnumerateArray())
        {
            if (side.TryGetProperty("rotation", out var rotation))
            {
                return ((rotation.GetInt32() % 360) + 360) % 360;
            }
        }
        return 0;
    }

    /// <summary>The display aspect ratio ("16:9") as a number, when ffprobe gives one.</summary>
    private static double? Aspect(JsonElement video)
    {
        if (!video.TryGetProperty("display_aspect_ratio", out var text) || text.GetString()!.Split(':') is not [var w, var h])
        {
            return null;
        }
        var (width, height) = (double.Parse(w, CultureInfo.InvariantCulture), double.Parse(h, CultureInfo.InvariantCulture));
        return width > 0 && height > 0 ? width / height : null;
    }

    private static double Number(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number ? element.GetDouble() : double.Parse(element.GetString()!, CultureInfo.InvariantCulture);
}
