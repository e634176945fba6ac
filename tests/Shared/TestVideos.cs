using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Parley.Testing;

/// <summary>What ffprobe says about a file: the yardstick for Parley's own header reader.</summary>
public sealed record FfprobeFacts(double Duration, string VideoCodec, int Width, int Height, string? AudioCodec, int VideoFrames);

/// <summary>
/// Small real videos made with ffmpeg (Debian's package), once per test process: H.264/AAC MP4
/// and VP9/Opus WebM, each at 240p and 480p, ten seconds of a moving test pattern and a tone.
/// </summary>
public static class TestVideos
{
    public const double Seconds = 10;
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _folder;

    public static readonly (string Name, int Width, int Height)[] Files =
    [
        ("dog_240p.mp4", 426, 240), ("dog_480p.mp4", 854, 480), ("cat_240p.webm", 426, 240), ("cat_480p.webm", 854, 480),
    ];

    /// <summary>A folder holding <see cref="Files"/>; callers copy from it rather than change it.</summary>
    public static async Task<string> FolderAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_folder is not null)
            {
                return _folder;
            }
            var folder = Path.Combine(Path.GetTempPath(), "parley-test-videos-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
            foreach (var (name, width, height) in Files)
            {
                await MakeAsync(Path.Combine(folder, name), width, height);
            }
            return _folder = folder;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Copies the test videos into <paramref name="destination"/>.</summary>
    public static async Task CopyToAsync(string destination)
    {
        var source = await FolderAsync();
        Directory.CreateDirectory(destination);
        foreach (var (name, _, _) in Files)
        {
            File.Copy(Path.Combine(source, name), Path.Combine(destination, name), overwrite: true);
        }
    }

    public static async Task MakeAsync(string path, int width, int height, double seconds = Seconds)
    {
        var codecs = path.EndsWith(".webm", StringComparison.Ordinal)
            ? "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 400k -c:a libopus -b:a 48k"
            : "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 48k";
        var duration = seconds.ToString(CultureInfo.InvariantCulture);
        await RunAsync("ffmpeg", $"-hide_banner -loglevel error -y -f lavfi -i testsrc2=size={width}x{height}:rate=25 " +
            $"-f lavfi -i sine=frequency=440:sample_rate=48000 -t {duration} -g 25 {codecs} {path}");
    }

    public static async Task<FfprobeFacts> ProbeAsync(string path)
    {
        var json = await RunAsync("ffprobe", $"-v error -count_packets -show_entries format=duration:stream=codec_type,codec_name,width,height,nb_read_packets -of json {path}");
        using var document = JsonDocument.Parse(json);
        var streams = document.RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.First(s => s.GetProperty("codec_type").GetString() == "video");
        var audio = streams.FirstOrDefault(s => s.GetProperty("codec_type").GetString() == "audio");
        return new FfprobeFacts(
            double.Parse(document.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture),
            video.GetProperty("codec_name").GetString()!, video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32(),
            audio.ValueKind == JsonValueKind.Undefined ? null : audio.GetProperty("codec_name").GetString(),
            int.Parse(video.GetProperty("nb_read_packets").GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary>The presentation time of each video packet, in seconds, in file order.</summary>
    public static async Task<IReadOnlyList<double>> PacketTimesAsync(string path)
    {
        var csv = await RunAsync("ffprobe", $"-v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 {path}");
        return [.. csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => double.Parse(line, CultureInfo.InvariantCulture))];
    }

    public static async Task<string> RunAsync(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{program} {arguments} failed: {await errors}");
    }
}
