using System.Diagnostics;
using System.Text.Json;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>
/// `parley hub --cluster-config FILE`: NATS over TLS (a CA made here with openssl) with a user and password,
/// as a real deployment runs it; the file's secrets stay secret and a wrong file is refused saying why.
/// </summary>
public sealed class ClusterConfigTests : IDisposable
{
    private const string Password = "s3cret-pass";
    private readonly string _root = Directory.CreateTempSubdirectory("parley-clustercfg-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string PathOf(string name) => Path.Combine(_root, name);

    private static void OpenSsl(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
    }

    /// <summary>A CA, and a server certificate it signs for 127.0.0.1.</summary>
    private void MakeCertificates()
    {
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=parley test CA",
            "-keyout", PathOf("ca-key.pem"), "-out", PathOf("ca.pem"));
        OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", PathOf("server-key.pem"), "-out", PathOf("server.csr"));
        File.WriteAllText(PathOf("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        OpenSsl("x509", "-req", "-in", PathOf("server.csr"), "-CA", PathOf("ca.pem"), "-CAkey", PathOf("ca-key.pem"), "-CAcreateserial",
            "-days", "2", "-extfile", PathOf("san.ext"), "-out", PathOf("server.pem"));
    }

    private string WriteConfig(string name, object config, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = PathOf(name);
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private Task<CliResult> StartHubOnce(string home, string config) =>
        ParleyRunner.Local.RunAsync("--home", PathOf(home), "hub", "--port", "0", "--cluster-config", config, "--identity", PathOf("identity.pem"));

    [Fact]
    public async Task HubReachesNatsOverTlsWithAPassword_FromItsConfig_AndHubStatusToo_NeverShowingTheSecret()
    {
        MakeCertificates();
        await using var nats = await NatsServers.StartAsync(1, null,
            "--tls", "--tlscert", PathOf("server.pem"), "--tlskey", PathOf("server-key.pem"), "--user", "parley", "--pass", Password);
        var servers = new[] { $"tls://127.0.0.1:{nats.Ports[0]}" };
        var good = WriteConfig("cluster.json", new { servers, user = "parley", password = Password, tls = new { ca = PathOf("ca.pem") } });

        await using (var hub = await HubProcess.StartAsync(ParleyRunner.Local, PathOf("hub1"), "--port", "0", "--cluster-config", good, "--identity", PathOf("identity.pem")))
        {
            var status = await ParleyRunner.Local.RunAsync("--home", PathOf("hub1"), "hub", "status");
            Assert.True(status.ExitCode == 0, status.Out + status.Error);
            Assert.Contains("1 live", status.Out, StringComparison.Ordinal);
            Assert.Contains("PARLEY_MAIL", status.Out, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, hub.Output + status.Out, StringComparison.Ordinal);
        }

        // A wrong password, and a server certificate nobody vouched for: refused, saying why, without the secret.
        var wrong = await StartHubOnce("hub2", WriteConfig("wrong.json", new { servers, user = "parley", password = "not-" + Password, tls = new { ca = PathOf("ca.pem") } }));
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains($"cannot reach NATS JetStream at 127.0.0.1:{nats.Ports[0]}", wrong.Out + wrong.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, wrong.Out + wrong.Error, StringComparison.Ordinal);
        var untrusted = await StartHubOnce("hub3", WriteConfig("no-ca.json", new { servers, user = "parley", password = Password }));
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("cannot reach NATS JetStream", untrusted.Out + untrusted.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigOthersMayRead_OrWithUnknownFields_OrMissingFiles_IsRefusedSayingWhy()
    {
        var servers = new[] { "nats://127.0.0.1:1" };
        var open = await StartHubOnce("h1", WriteConfig("open.json", new { servers, password = Password },
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        Assert.NotEqual(0, open.ExitCode);
        Assert.Contains("others may read it: chmod 600", open.Out + open.Error, StringComparison.Ordinal);

        var typo = await StartHubOnce("h2", WriteConfig("typo.json", new { servers, passwd = Password }));
        Assert.NotEqual(0, typo.ExitCode);
        Assert.Contains("is not a cluster config", typo.Out + typo.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, typo.Out + typo.Error, StringComparison.Ordinal);

        var missing = await StartHubOnce("h3", WriteConfig("missing.json", new { servers, tls = new { ca = PathOf("nowhere.pem") } }));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("nowhere.pem, which does not exist", missing.Out + missing.Error, StringComparison.Ordinal);
    }
}
