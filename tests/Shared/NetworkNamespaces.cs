using System.Diagnostics;

namespace Parley.Testing;

/// <summary>
/// Two Linux network namespaces on one LAN (10.47.x.1/24 and 10.47.x.2/24), made for one test and
/// removed after it: two "machines" with no route anywhere else. Joined by a veth pair, or, given a
/// delay, by two veth pairs whose outer ends a <see cref="DelayBridge"/> joins (this kernel has no
/// netem). Needs root and iproute2 (CI runs as root; .ci/run installs iproute2).
/// </summary>
public sealed class NetworkNamespaces : IDisposable
{
    private static int s_next;

    private DelayBridge? _bridge;
    private string[] _outerEnds = [];

    private NetworkNamespaces(string a, string b, string addressA, string addressB)
    {
        A = a;
        B = b;
        AddressA = addressA;
        AddressB = addressB;
    }

    public string A { get; }

    public string B { get; }

    public string AddressA { get; }

    public string AddressB { get; }

    private string VethA => $"pv{_tag}a";

    private string VethB => $"pv{_tag}b";

    private string _tag = "";

    /// <summary>
    /// Makes the link bad both ways: each packet dropped with <paramref name="lossPercent"/> % chance
    /// (iptables statistic) and the rate capped (tbf). Delay comes only from <see cref="Create"/>'s bridge.
    /// </summary>
    public void Degrade(double lossPercent, int rateMbit)
    {
        foreach (var (ns, dev) in new[] { (A, VethA), (B, VethB) })
        {
            Run("ip", "netns", "exec", ns, "iptables", "-A", "INPUT", "-m", "statistic", "--mode", "random", "--probability", Probability(lossPercent), "-j", "DROP");
            Run("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", $"{rateMbit}mbit", "burst", "64kb", "latency", "200ms");
        }
    }

    /// <summary>Drops each UDP packet (call media) arriving in either namespace with <paramref name="lossPercent"/> % chance; TCP is untouched.</summary>
    public void DropUdp(double lossPercent)
    {
        IptablesInBoth("-A", "INPUT", "-p", "udp", "-m", "statistic", "--mode", "random", "--probability", Probability(lossPercent), "-j", "DROP");
    }

    /// <summary>Ends what <see cref="DropUdp"/> started: every INPUT rule in both namespaces goes.</summary>
    public void HealUdp()
    {
        IptablesInBoth("-F", "INPUT");
    }

    /// <summary>An outage of UDP in both namespaces (on), or its end (off); TCP is untouched.</summary>
    public void BlockUdp(bool on)
    {
        IptablesInBoth(on ? "-I" : "-D", "INPUT", "-p", "udp", "-j", "DROP");
    }

    /// <summary>Frames the delay bridge has carried (0 without one).</summary>
    public long Bridged => _bridge?.Forwarded ?? 0;

    /// <param name="oneWayDelay">Added to every packet in each direction (a round trip gains twice this); none when null.</param>
    private static string Probability(double percent) => (percent / 100).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One iptables rule change, made the same in both namespaces.</summary>
    private void IptablesInBoth(params string[] args)
    {
        foreach (var ns in new[] { A, B })
        {
            Run("ip", ["netns", "exec", ns, "iptables", .. args]);
        }
    }

    public static NetworkNamespaces Create(TimeSpan? oneWayDelay = null)
    {
        var n = Interlocked.Increment(ref s_next);
        var tag = $"{Environment.ProcessId % 10000}{n}";
        var (a, b) = ($"parley-{tag}-a", $"parley-{tag}-b");
        var subnet = 100 + Environment.ProcessId % 100 + n;
        var (addressA, addressB) = ($"10.47.{subnet}.1", $"10.47.{subnet}.2");
        var (vethA, vethB) = ($"pv{tag}a", $"pv{tag}b");
        Ip("netns", "add", a);
        Ip("netns", "add", b);
        var outerEnds = oneWayDelay is null ? [] : new[] { $"pv{tag}x", $"pv{tag}y" };
        if (oneWayDelay is null)
        {
            Ip("link", "add", vethA, "type", "veth", "peer", "name", vethB);
        }
        else
        {
            Ip("link", "add", vethA, "type", "veth", "peer", "name", outerEnds[0]);
            Ip("link", "add", vethB, "type", "veth", "peer", "name", outerEnds[1]);
            foreach (var outer in outerEnds)
            {
                // The outer ends carry only what the bridge copies: no addresses, no IPv6 chatter of their own.
                var ipv6 = $"/proc/sys/net/ipv6/conf/{outer}/disable_ipv6";
                if (File.Exists(ipv6))
                {
                    File.WriteAllText(ipv6, "1");
                }
                Ip("link", "set", outer, "promisc", "on", "up");
            }
        }
        Ip("link", "set", vethA, "netns", a);
        Ip("link", "set", vethB, "netns", b);
        Ip("-n", a, "addr", "add", addressA + "/24", "dev", vethA);
        Ip("-n", b, "addr", "add", addressB + "/24", "dev", vethB);
        foreach (var (ns, dev) in new[] { (a, vethA), (b, vethB) })
        {
            Ip("-n", ns, "link", "set", dev, "up");
            Ip("-n", ns, "link", "set", "lo", "up");
            if (oneWayDelay is not null)
            {
                // The bridge copies frames, not offloads: checksums filled in and every frame within the MTU.
                Run("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            }
        }
        var lan = new NetworkNamespaces(a, b, addressA, addressB) { _tag = tag, _outerEnds = outerEnds };
        if (oneWayDelay is { } delay)
        {
            lan._bridge = new DelayBridge(outerEnds[0], outerEnds[1], delay);
        }
        return lan;
    }

    private static void Ip(params string[] args) => Run("ip", args);

    internal static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"this test needs '{file}' (iproute2, iptables, ethtool); run it through .ci/run, which installs them", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(); // ethtool's report of what changed: not wanted
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            output.Wait();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error.Trim()} (network namespace tests need root)");
            }
        }
    }

    public void Dispose()
    {
        _bridge?.Dispose();
        foreach (var outer in _outerEnds)
        {
            try
            {
                Ip("link", "del", outer);
            }
            catch (InvalidOperationException)
            {
                // Went with its namespace's end.
            }
        }
        foreach (var ns in new[] { A, B })
        {
            try
            {
                Ip("netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
                // Already gone; nothing to clean.
            }
        }
    }
}
