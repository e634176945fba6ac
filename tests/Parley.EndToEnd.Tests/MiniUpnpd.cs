using System.Collections.Concurrent;
using System.Diagnostics;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Debian's miniupnpd (miniupnpd-iptables) run in a router namespace the test made: NAT-PMP, PCP and
/// UPnP-IGD on the LAN side, forwarding from the WAN side, with its own config and lease file in a
/// temporary folder, in the foreground (-d), killed by <see cref="Dispose"/>. The iptables backend is
/// legacy iptables (libiptc): its chains are made here, as Debian's iptables_init.sh would, and hooked
/// into the legacy tables; the router's own (nft) firewall must let forwarded (DNAT) connections pass.
/// </summary>
internal sealed class MiniUpnpd : IDisposable
{
    public const string Program = "/usr/sbin/miniupnpd";
    private readonly string _folder = Directory.CreateTempSubdirectory("parley-miniupnpd-").FullName;
    private readonly ConcurrentQueue<string> _lines = new();
    private Process? _process;
    private string _router = "";

    public string Output => string.Join('\n', _lines);

    public static MiniUpnpd Start(string router, string wan, string lan, string lanNet)
    {
        var daemon = new MiniUpnpd();
        try
        {
            Chains(router, wan);
            daemon.Run(router, wan, lan, lanNet);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    private static void Chains(string router, string wan)
    {
        foreach (var table in new[] { "nat", "mangle", "filter" })
        {
            Legacy(router, "-t", table, "-N", "MINIUPNPD");
        }
        Legacy(router, "-t", "nat", "-N", "MINIUPNPD-POSTROUTING");
        Legacy(router, "-t", "nat", "-A", "PREROUTING", "-i", wan, "-j", "MINIUPNPD");
        Legacy(router, "-t", "nat", "-A", "POSTROUTING", "-o", wan, "-j", "MINIUPNPD-POSTROUTING");
        Legacy(router, "-t", "mangle", "-A", "PREROUTING", "-i", wan, "-j", "MINIUPNPD");
        Legacy(router, "-t", "filter", "-A", "FORWARD", "-i", wan, "!", "-o", wan, "-j", "MINIUPNPD");
    }

    /// <summary>Whether the daemon's DNAT chain forwards TCP <paramref name="port"/> (its own rules, as iptables-legacy lists them).</summary>
    public bool ForwardsTcp(int port)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", _router, "iptables-legacy", "-t", "nat", "-S", "MINIUPNPD" })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var rules = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return rules.Split('\n').Any(r => r.Contains("-p tcp", StringComparison.Ordinal) && r.Contains($"--dport {port} ", StringComparison.Ordinal));
    }

    private void Run(string router, string wan, string lan, string lanNet)
    {
        _router = router;
        var config = Path.Combine(_folder, "miniupnpd.conf");
        File.WriteAllText(config, $"""
            ext_ifname={wan}
            listening_ip={lan}
            port=0
            enable_natpmp=yes
            enable_upnp=yes
            secure_mode=yes
            system_uptime=no
            uuid=6b1f2c54-9d3e-4c1a-8f7e-{Environment.ProcessId % 1000000:D6}000000
            lease_file={Path.Combine(_folder, "leases")}
            allow 1024-65535 {lanNet}.0/24 1024-65535
            deny 0-65535 0.0.0.0/0 0-65535

            """);
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "netns", "exec", router, Program, "-d", "-f", config, "-P", Path.Combine(Path.GetDirectoryName(config)!, "miniupnpd.pid") })
        {
            info.ArgumentList.Add(arg);
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(info)!;
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Enqueue(line);
                if (line.Contains("Listening for NAT-PMP/PCP traffic", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }
        };
        _process.OutputDataReceived += onLine;
        _process.ErrorDataReceived += onLine;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException($"miniupnpd did not start:\n{Output}");
        }
    }

    private static void Legacy(string router, params string[] args) => NetworkNamespaces.Run("ip", ["netns", "exec", router, "iptables-legacy", .. args]);

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
