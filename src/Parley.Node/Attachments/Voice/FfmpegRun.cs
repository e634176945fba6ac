using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Parley.Node.Attachments.Voice;

/// <summary>
/// One ffmpeg process: arguments as a list (no shell, no quoting of user paths), killed with its
/// children when the timeout or the caller's cancellation comes first, and only the end of its
/// error output kept (enough to say why it failed, bounded however much it writes).
/// </summary>
internal static class FfmpegRun
{
    private const int KeptErrorChars = 2048;

    /// <summary>Runs ffmpeg; <paramref name="readOutput"/> consumes its standard output while it runs.</summary>
    public static async Task RunAsync(VoiceOptions options, TimeProvider clock, IEnumerable<string> arguments,
        Func<Stream, CancellationToken, Task> readOutput, CancellationToken ct)
    {
        var start = new ProcessStartInfo(options.Ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new VoiceEncodingException("ffmpeg did not start", 503);
        }
        catch (Win32Exception)
        {
            throw new VoiceEncodingException($"voice messages need ffmpeg, which was not found ('{options.Ffmpeg}'): install the package ffmpeg", 503);
        }
        using var _ = process;
        using var timeout = new CancellationTokenSource(options.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var errors = KeepTailAsync(process.StandardError, linked.Token);
        try
        {
            await readOutput(process.StandardOutput.BaseStream, linked.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new VoiceEncodingException($"ffmpeg took longer than {options.Timeout.TotalSeconds:0} s and was stopped", 504);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        var error = await errors.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new VoiceEncodingException($"ffmpeg could not read this as audio: {Plain(error)}");
        }
    }

    /// <summary>Reads standard error to its end, keeping only the last characters.</summary>
    private static async Task<string> KeepTailAsync(StreamReader reader, CancellationToken ct)
    {
        var tail = new StringBuilder();
        var buffer = new char[1024];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                tail.Append(buffer, 0, read);
                if (tail.Length > KeptErrorChars)
                {
                    tail.Remove(0, tail.Length - KeptErrorChars);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run was stopped; what was read says enough.
        }
        return tail.ToString();
    }

    /// <summary>ffmpeg's last error line, without the input's path (which may be a temporary name).</summary>
    private static string Plain(string error)
    {
        var last = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no reason given";
        var colon = last.LastIndexOf(": ", StringComparison.Ordinal);
        return colon >= 0 && last.Contains('/', StringComparison.Ordinal) ? last[(colon + 2)..] : last;
    }
}
