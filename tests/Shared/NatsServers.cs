using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.Testing;

/// <summary>
/// Debian's nats-server run for one test: <paramref name="count"/> servers on loopback ports, JetStream
/// on, routed into one cluster (three make a Raft quorum that survives losing one), each with its own
/// store folder. <see cref="Urls"/> is what <c>parley hub --cluster</c> takes. Killed and removed on dispose.
/// In a network namespace (<c>inNamespace</c>), on that namespace's loopback: for hubs run in it.
/// </summary>
internal sealed class NatsServers : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/nats-server";
    private readonly string _folder;
    private readonly Process?[] _servers;

    private NatsServers(string folder, Process?[] servers, int[] ports)
    {
        _folder = folder;
        _servers = servers;
        Ports = ports;
    }

    public IReadOnlyList<int> Ports { get; }

    /// <summary>The servers' stores and logs.</summary>
    public string Folder => _folder;

    /// <summary>nats://127.0.0.1:PORT,... for every server.</summary>
    public string Urls => string.Join(',', Ports.Select(p => $"nats://127.0.0.1:{p}"));

    public static async Task<NatsServers> StartAsync(int count = 3, string? inNamespace = null, params string[] extraArgs)
    {
        // The ports are free when picked but may be taken before the server binds them (another test's server):
        // a server that exits at start is tried again, all of them with new ports, since each names the others' routes.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync(count, inNamespace, extraArgs, lastAttempt: attempt == 3) is { } started)
            {
                return started;
            }
        }
    }

    private static async Task<NatsServers?> TryStartAsync(int count, string? inNamespace, string[] extraArgs, bool lastAttempt)
    {
        var folder = Directory.CreateTempSubdirectory("parley-nats-").FullName;
        var ports = Enumerable.Range(0, count).Select(_ => FreePort()).ToArray();
        var routes = Enumerable.Range(0, count).Select(_ => FreePort()).ToArray();
        var servers = new Process?[count];
        var started = new NatsServers(folder, servers, ports);
        for (var i = 0; i < count; i++)
        {
            string[] clustering = count == 1 ? [] :
            [
                "--cluster_name", "parley", "--cluster", $"nats://127.0.0.1:{routes[i]}",
                "--routes", string.Join(',', routes.Where((_, j) => j != i).Select(r => $"nats://127.0.0.1:{r}")),
            ];
            // `ip netns exec` execs the server in place, so the process (and its kill) is the server's.
            var info = new ProcessStartInfo(inNamespace is null ? Binary : "ip") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])[.. inNamespace is null ? [] : (string[])["netns", "exec", inNamespace, Binary], "-js", "-n", $"nats{i}", "-a", "127.0.0.1",
                "-p", ports[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-sd", Path.Combine(folder, $"store{i}"), "-l", Path.Combine(folder, $"nats{i}.log"), .. clustering, .. extraArgs])
            {
                info.ArgumentList.Add(arg);
            }
            servers[i] = Process.Start(info)!;
        }
        // Listening is enough here: hubs retry while JetStream elects its leaders. The log says so (a port that
        // accepts might be someone else's, and a namespace's loopback is not this one's).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        for (var i = 0; i < count; i++)
        {
            var logFile = Path.Combine(folder, $"nats{i}.log");
            while (!(File.Exists(logFile) && File.ReadAllText(logFile).Contains("Server is ready", StringComparison.Ordinal)))
            {
                var exited = servers[i]!.HasExited;
                if (exited && !lastAttempt)
                {
                    await started.DisposeAsync();
                    return null;
                }
                if (exited || DateTime.UtcNow > deadline)
                {
                    var log = started.Log;
                    await started.DisposeAsync();
                    throw new InvalidOperationException($"nats-server did not listen on {ports[i]}:\n{log}");
                }
                await Task.Delay(100);
            }
        }
        return started;
    }

    /// <summary>Every server's log, for a failed assertion.</summary>
    public string Log => string.Join("\n", Directory.EnumerateFiles(_folder, "*.log").Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));

    /// <summary>SIGKILL to server <paramref name="index"/>: no goodbye to its routes or clients.</summary>
    public async Task KillAsync(int index)
    {
        if (_servers[index] is { } server)
        {
            server.Kill();
            await server.WaitForExitAsync();
            server.Dispose();
            _servers[index] = null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _servers.Length; i++)
        {
            await KillAsync(i);
        }
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
