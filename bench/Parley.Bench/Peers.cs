using System.Diagnostics;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>The outside programs Parley is measured against: scp to a local sshd, and iperf3.</summary>
internal static class Peers
{
    private const int SshPort = 2299;
    private const int IperfPort = 5299;

    /// <summary>Time for scp of <paramref name="source"/> to a local sshd started for the run, or null when sshd is missing.</summary>
    public static TimeSpan? Scp(string source)
    {
        if (!File.Exists("/usr/sbin/sshd"))
        {
            Console.WriteLine("  (scp skipped: openssh-server is not installed)");
            return null;
        }
        var dir = Directory.CreateTempSubdirectory("parley-ssh-").FullName;
        try
        {
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "host"));
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "user"));
            File.Copy(Path.Combine(dir, "user.pub"), Path.Combine(dir, "authorized_keys"));
            Directory.CreateDirectory("/run/sshd");
            var config = Path.Combine(dir, "sshd_config");
            File.WriteAllText(config, $"""
                Port {SshPort}
                ListenAddress 127.0.0.1
                HostKey {dir}/host
                AuthorizedKeysFile {dir}/authorized_keys
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                StrictModes no
                PidFile {dir}/sshd.pid
                Subsystem sftp /usr/lib/openssh/sftp-server
                """);
            using var sshd = Process.Start(new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config]) { RedirectStandardError = true })!;
            Thread.Sleep(500);
            try
            {
                var target = Path.Combine(dir, "copy.bin");
                var watch = Stopwatch.StartNew();
                Run("scp", "-q", "-c", "aes128-gcm@openssh.com", "-P", SshPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-i", Path.Combine(dir, "user"), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    source, $"{Environment.UserName}@127.0.0.1:{target}");
                return watch.Elapsed;
            }
            finally
            {
                sshd.Kill();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
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

    private static string Run(string file, params string[] args)
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
