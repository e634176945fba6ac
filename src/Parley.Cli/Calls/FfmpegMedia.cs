using System.ComponentModel;
using System.Diagnostics;

namespace Parley.Cli.Calls;

/// <summary>
/// ffmpeg as a terminal call's camera and microphone (a 1:1 call's and a room call's alike): a test
/// pattern and tone, a media file, or the X screen, encoded to VP8 in IVF and Opus in Ogg on its stdout.
/// </summary>
internal static class FfmpegMedia
{
    /// <summary>What to send: video (camera or screen), and a file instead of the test pattern and tone.</summary>
    public sealed record Source(bool Video, bool Screen, string? File);

    private const string Missing = "ffmpeg is not installed (install the Debian package ffmpeg)";

    /// <summary>Fails with a clear message when ffmpeg is not on the PATH, before anything is joined or placed.</summary>
    public static void Require()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(folder => File.Exists(Path.Combine(folder, "ffmpeg"))))
        {
            throw new CliException(Missing);
        }
    }

    public static string VideoArguments(Source source)
    {
        var input = source.Screen ? $"-f x11grab -framerate 15 -i {Environment.GetEnvironmentVariable("DISPLAY") ?? ":0"}"
            : source.File is { } file ? $"-re -i \"{file}\""
            : "-re -f lavfi -i testsrc2=size=640x360:rate=30";
        // ffmpeg on a pipe cannot make a keyframe when the far side asks, so it makes one every half
        // second: after a loss the picture is back within a second even when a busy machine makes ffmpeg
        // late, at the cost of a few more large frames. One encoder thread: libvpx's worker threads wait
        // for each other by spinning, which quadrupled the CPU a 30 fps source costs (40 % of a core, not 10 %).
        return $"{input} -an -c:v libvpx -threads 1 -deadline realtime -cpu-used 8 -b:v 800k -force_key_frames \"expr:gte(t,n_forced*0.5)\" -f ivf pipe:1";
    }

    public static string AudioArguments(Source source)
    {
        var input = source.File is { } file ? $"-re -i \"{file}\"" : "-re -f lavfi -i sine=frequency=440:sample_rate=48000";
        // One Ogg page a packet: by default ffmpeg fills a page with a second of packets, which would
        // reach the call in one-second bursts, all stamped at the moment the page came.
        return $"{input} -vn -ac 1 -ar 48000 -c:a libopus -b:a 32k -frame_duration 20 -application lowdelay -page_duration 20000 -f ogg pipe:1";
    }

    public static Process Start(string arguments)
    {
        try
        {
            return Process.Start(new ProcessStartInfo("ffmpeg", "-hide_banner -loglevel error -nostdin " + arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
                ?? throw new CliException(Missing);
        }
        catch (Win32Exception)
        {
            throw new CliException(Missing);
        }
    }

    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }
}
