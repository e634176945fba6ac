using System.Diagnostics;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>The outside programs Parley is measured against: scp to a local sshd, and iperf3.</summary>
internal static class Peers
{
    private const int IperfPort = 5299;

    /// <summary>
    /// Time for scp of <paramref name="source"/> to a local sshd started for the run, then <c>sync</c> of the copy (Parley's
    /// arm ends with its file fsynced, so this one does too), or null when sshd is missing.
    /// </summary>
    public static TimeSpan? Scp(string source)
    {
        using var ssh = SshServer.TryStart();
        if (ssh is null)
        {
            return null;
        }
        var target = Path.Combine(Path.GetDirectoryName(source)!, "scp-copy.bin");
        try
        {
            return ssh.Time($"$SCP {source} $TARGET:{target} && sync {target}");
        }
        finally
        {
            File.Delete(target);
        }
    }

    /// <summary>Time for iperf3 to move <paramref name="bytes"/> in one stream on loopback, or null when iperf3 is missing.</summary>
    public static TimeSpan? Iperf3(long bytes)
    {
        if (!File.Exists("/usr/bin/iperf3"))
        {
            Console.WriteLine("  (iperf3 skipped: not installed)");
            return null;
        }
        using var server = Process.Start(new ProcessStartInfo("iperf3", ["-s", "-1", "-p", IperfPort.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        })!;
        Thread.Sleep(300);
        var json = Run("iperf3", "-c", "127.0.0.1", "-p", IperfPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-n", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "-J");
        server.WaitForExit(5000);
        var seconds = JsonDocument.Parse(json).RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("seconds").GetDouble();
        return TimeSpan.FromSeconds(seconds);
    }

    public static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {error}");
        }
        return output;
    }
}
