using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench;

/// <summary>
/// An sshd of the bench's own on 127.0.0.1 (keys and config in a temporary folder), so scp, scp -r and
/// tar | ssh can be measured beside Parley in the same run. Null from <see cref="TryStart"/> when
/// openssh-server is not installed.
/// </summary>
internal sealed class SshServer : IDisposable
{
    private const int Port = 2299;
    private readonly string _dir;
    private readonly Process _sshd;

    private SshServer(string dir, Process sshd)
    {
        _dir = dir;
        _sshd = sshd;
    }

    public static SshServer? TryStart()
    {
        if (!File.Exists("/usr/sbin/sshd"))
        {
            Console.WriteLine("  (ssh arms skipped: openssh-server is not installed)");
            return null;
        }
        var dir = Directory.CreateTempSubdirectory("parley-ssh-").FullName;
        Peers.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "host"));
        Peers.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "user"));
        File.Copy(Path.Combine(dir, "user.pub"), Path.Combine(dir, "authorized_keys"));
        Directory.CreateDirectory("/run/sshd");
        var config = Path.Combine(dir, "sshd_config");
        File.WriteAllText(config, $"""
            Port {Port}
            ListenAddress 127.0.0.1
            HostKey {dir}/host
            AuthorizedKeysFile {dir}/authorized_keys
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            StrictModes no
            PidFile {dir}/sshd.pid
            Subsystem sftp /usr/lib/openssh/sftp-server
            """);
        var sshd = Process.Start(new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config]) { RedirectStandardError = true })!;
        Thread.Sleep(500);
        return new SshServer(dir, sshd);
    }

    /// <summary>The ssh options every arm uses: this server, its key, AES-128-GCM (what Parley's TLS uses).</summary>
    private string Options => string.Create(CultureInfo.InvariantCulture,
        $"-c aes128-gcm@openssh.com -i {_dir}/user -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR");

    private string Target => $"{Environment.UserName}@127.0.0.1";

    /// <summary>Time of a shell pipeline that uses <c>$SSH</c> (ssh with the options) and <c>$SCP</c>, <c>$TARGET</c>.</summary>
    public TimeSpan Time(string pipeline)
    {
        var watch = Stopwatch.StartNew();
        Peers.Run("bash", "-c", $"SSH=\"ssh -p {Port} {Options}\"; SCP=\"scp -q -P {Port} {Options}\"; TARGET={Target}; set -eo pipefail; {pipeline}");
        return watch.Elapsed;
    }

    public void Dispose()
    {
        _sshd.Kill();
        _sshd.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
