using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.Testing;

/// <summary>
/// Debian's coturn (/usr/bin/turnserver) run for one test: its own config, user database and log in
/// a temp folder, long-term credentials (<see cref="User"/>/<see cref="Password"/>), UDP only, no TLS,
/// no CLI, listening and relaying on one address (loopback, or one in a namespace the test made when
/// a prefix such as <c>ip netns exec NS</c> is given). Killed and its folder removed on dispose.
/// </summary>
internal sealed class CoturnProcess : IAsyncDisposable
{
    public const string User = "parley";
    public const string Password = "turn-secret";
    public const string Realm = "parley.test";
    private const string Binary = "/usr/bin/turnserver";
    private readonly Process _process;
    private readonly string _folder;

    private CoturnProcess(Process process, string folder, string address, int port)
    {
        _process = process;
        _folder = folder;
        Address = address;
        Port = port;
    }

    public string Address { get; }

    public int Port { get; }

    public string Uri => $"turn:{Address}:{Port}?transport=udp";

    public string Log => File.Exists(Path.Combine(_folder, "turn.log")) ? File.ReadAllText(Path.Combine(_folder, "turn.log")) : "";

    /// <summary>Starts coturn on <paramref name="address"/>; <paramref name="options"/> are extra config lines (e.g. <c>max-allocate-lifetime=3</c>).</summary>
    public static async Task<CoturnProcess> StartAsync(string address = "127.0.0.1", string[]? prefix = null, params string[] options)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException("this test needs coturn (/usr/bin/turnserver); scripts/test installs it");
        }
        var folder = Directory.CreateTempSubdirectory("parley-coturn-").FullName;
        var port = prefix is null ? FreeUdpPort(address) : 3478;
        string[] config =
        [
            $"listening-ip={address}", $"listening-port={port}", $"relay-ip={address}", "min-port=40000", "max-port=49999",
            "verbose", "lt-cred-mech", $"user={User}:{Password}", $"realm={Realm}", "fingerprint",
            "no-tls", "no-dtls", "no-tcp", "no-tcp-relay", "no-cli", "no-multicast-peers", "allow-loopback-peers",
            $"log-file={Path.Combine(folder, "turn.log")}", "simple-log", $"pidfile={Path.Combine(folder, "turn.pid")}",
            $"userdb={Path.Combine(folder, "turndb")}", .. options,
        ];
        var configFile = Path.Combine(folder, "turnserver.conf");
        await File.WriteAllLinesAsync(configFile, config);
        string[] command = [.. prefix ?? [], Binary, "-c", configFile];
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in command[1..])
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var coturn = new CoturnProcess(process, folder, address, port);
        await coturn.WaitReadyAsync();
        return coturn;
    }

    /// <summary>Until the log says the UDP listener is up (at most 10 s).</summary>
    private async Task WaitReadyAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"turnserver exited ({_process.ExitCode}):\n{Log}");
            }
            if (Log.Contains("Total General servers", StringComparison.Ordinal) && Log.Contains("IO method (admin thread)", StringComparison.Ordinal))
            {
                await Task.Delay(200);
                return;
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"turnserver did not start within 10 s:\n{Log}");
    }

    private static int FreeUdpPort(string address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
