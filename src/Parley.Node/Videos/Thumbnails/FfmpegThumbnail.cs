using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Parley.Core.Videos;

namespace Parley.Node.Videos.Thumbnails;

/// <summary>
/// One poster frame by ffmpeg: a JPEG of at most <see cref="VideoThumbnail.MaxBytes"/>, <see cref="LongerSide"/>
/// pixels on its longer side, from 10% into the video or 3 s, whichever is earlier. ffmpeg turns the picture
/// upright itself (autorotate), and the size comes from the display size the headers gave, so a rotated or
/// anamorphic clip looks as players show it. It runs on one thread at the lowest priority and is killed after
/// <see cref="Timeout"/>.
/// </summary>
internal static class FfmpegThumbnail
{
    public const int LongerSide = 320;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>JPEG qualities tried in turn (ffmpeg's scale: 2 best, 31 worst) until the frame fits.</summary>
    private static readonly int[] Qualities = [5, 10, 18, 31];

    /// <summary>ffmpeg's path when it is installed (on PATH), else null: then no thumbnails are made.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "ffmpeg.exe" : "ffmpeg"))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// The frame's JPEG bytes, or null with why ffmpeg made none. <paramref name="container"/> is what the header
    /// reader found: ffmpeg is held to that demuxer and to local files, so a shared file whose content says
    /// otherwise (a playlist naming other files or URLs, say) cannot make it read anything else.
    /// </summary>
    public static async Task<(byte[]? Jpeg, string? Error)> MakeAsync(string ffmpeg, SafeFileHandle file, string fallbackPath, string container,
        double? duration, int width, int height, CancellationToken cancellationToken)
    {
        // ffmpeg reopens the handle this node opened through ConfinedFile (a path swapped for a link since is not followed).
        var input = "file:" + (OperatingSystem.IsLinux() ? $"/proc/{Environment.ProcessId}/fd/{file.DangerousGetHandle()}" : fallbackPath);
        var demuxer = container is "webm" or "matroska" ? "matroska" : "mov";
        var at = Math.Min(duration is > 0 ? duration.Value / 10 : 0, 3);
        var (w, h) = Fit(width, height);
        string? error = null;
        foreach (var quality in Qualities)
        {
            (var jpeg, error) = await RunAsync(ffmpeg, demuxer, input, at, w, h, quality, cancellationToken).ConfigureAwait(false);
            if (jpeg is { Length: > 0 })
            {
                return (jpeg, null);
            }
            if (error is not null)
            {
                return (null, error);
            }
        }
        return (null, $"no quality made a frame under {VideoThumbnail.MaxBytes} bytes");
    }

    /// <summary>The display size scaled to <see cref="LongerSide"/> on its longer side, in even numbers (what JPEG's 4:2:0 likes).</summary>
    internal static (int Width, int Height) Fit(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            return (LongerSide, LongerSide * 9 / 16);
        }
        var scale = (double)LongerSide / Math.Max(width, height);
        int Even(double v) => Math.Max(2, (int)Math.Round(v / 2) * 2);
        return (Even(width * scale), Even(height * scale));
    }

    /// <summary>One ffmpeg run: the bytes (empty when over the cap), or an error when ffmpeg failed or made nothing.</summary>
    private static async Task<(byte[]? Jpeg, string? Error)> RunAsync(string ffmpeg, string demuxer, string input, double at, int w, int h, int quality,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = false };
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1",
            "-protocol_whitelist", "file", "-f", demuxer,
            "-ss", at.ToString("0.###", CultureInfo.InvariantCulture), "-i", input, "-map", "0:v:0", "-frames:v", "1",
            "-vf", $"scale={w}:{h}", "-q:v", quality.ToString(CultureInfo.InvariantCulture), "-f", "image2pipe", "-c:v", "mjpeg", "pipe:1"])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new IOException("ffmpeg did not start");
        try
        {
            process.PriorityClass = ProcessPriorityClass.Idle;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Ended already, or not allowed: it is one short run either way.
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var errors = ReadCappedAsync(process.StandardError.BaseStream, 2048, timeout.Token);
        try
        {
            var (output, tooBig) = await ReadCappedAsync(process.StandardOutput.BaseStream, VideoThumbnail.MaxBytes, timeout.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var said = System.Text.Encoding.UTF8.GetString((await errors.ConfigureAwait(false)).Bytes).Trim();
            return process.ExitCode != 0 ? (null, $"ffmpeg exited with {process.ExitCode}: {said}")
                : tooBig ? ([], null)
                : output.Length == 0 ? (null, ("ffmpeg made no frame " + said).Trim())
                : (output, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"ffmpeg took longer than {Timeout.TotalSeconds:0} s");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Up to <paramref name="max"/> bytes of what the stream gives, and whether it gave more (the rest is drained so ffmpeg can finish).</summary>
    private static async Task<(byte[] Bytes, bool Over)> ReadCappedAsync(Stream stream, int max, CancellationToken cancellationToken)
    {
        var buffer = new byte[max];
        var scratch = new byte[4096];
        var got = 0;
        var over = false;
        int n;
        while ((n = await stream.ReadAsync(got < max ? buffer.AsMemory(got) : scratch, cancellationToken).ConfigureAwait(false)) > 0)
        {
            over |= got == max;
            got = Math.Min(got + n, max);
        }
        return (buffer[..got], over);
    }
}
