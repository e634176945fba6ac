using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>How a home router maps its inside addresses to its outside one.</summary>
public enum NatKind
{
    /// <summary>iptables MASQUERADE: one outside port per inside socket for every destination (what most homes have); unsolicited inbound is dropped.</summary>
    Masquerade,

    /// <summary>MASQUERADE --random-fully: a new outside port for every destination, so the port a third party saw is useless (a symmetric NAT).</summary>
    Symmetric,

    /// <summary>MASQUERADE, and every UDP datagram through the router dropped, either way (a network that passes only TCP).</summary>
    UdpBlocked,
}

/// <summary>
/// Two homes behind their own NAT routers and a hub on the "internet" between them: A — RA (NAT) —
/// internet (the hub's namespace, which routes between the routers' outside networks) — RB (NAT) — B.
/// The homes' own networks are private: nothing on the internet can reach them except through the
/// NATs' mappings.
/// </summary>
internal sealed class NatTopology : IDisposable
{
    private static int s_next;
    private readonly string _tag;
    private readonly int _net;

    private NatTopology(string tag, int net)
    {
        _tag = tag;
        _net = net;
    }

    public string Internet => $"pn{_tag}i";

    public string RouterA => $"pn{_tag}x";

    public string RouterB => $"pn{_tag}y";

    public string A => $"pn{_tag}a";

    public string B => $"pn{_tag}b";

    private string Net(int offset) => $"10.{60 + _net}.{offset}";

    public static NatTopology Create(NatKind natA, NatKind natB)
    {
        var n = Interlocked.Increment(ref s_next);
        var topology = new NatTopology($"{Environment.ProcessId % 10000}{n}", (Environment.ProcessId + n) % 30);
        topology.Build(natA, natB);
        return topology;
    }

    private void Build(NatKind natA, NatKind natB)
    {
        foreach (var ns in new[] { Internet, RouterA, RouterB, A, B })
        {
            Ip("netns", "add", ns);
            Ip("-n", ns, "link", "set", "lo", "up");
        }
        // Outside: each router's WAN on its own network to the internet namespace, which forwards between them.
        Join(RouterA, Internet, Net(0), "wa");
        Join(RouterB, Internet, Net(1), "wb");
        Sysctl(Internet);
        // Inside: each home on its router's LAN.
        Join(A, RouterA, Net(2), "la");
        Join(B, RouterB, Net(3), "lb");
        Ip("-n", A, "route", "add", "default", "via", Net(2) + ".1");
        Ip("-n", B, "route", "add", "default", "via", Net(3) + ".1");
        Router(RouterA, $"v{_tag}wal", Net(0), natA);
        Router(RouterB, $"v{_tag}wbl", Net(1), natB);
    }

    /// <summary>
    /// Forwards, masquerades on its WAN, and lets in from outside only what answers a mapping — also
    /// to itself: a router that accepted a stray datagram to its own port would keep a conntrack entry
    /// for it, and the next mapping of that port would have to take another (the peer's checks then
    /// come from a port nobody named).
    /// </summary>
    private void Router(string router, string wan, string outside, NatKind nat)
    {
        Sysctl(router);
        Ip("-n", router, "route", "add", "default", "via", outside + ".1");
        Run(router, "iptables", ["-t", "nat", "-A", "POSTROUTING", "-o", wan, "-j", "MASQUERADE", .. nat == NatKind.Symmetric ? (string[])["--random-fully"] : []]);
        if (nat == NatKind.UdpBlocked)
        {
            Run(router, "iptables", "-A", "FORWARD", "-p", "udp", "-j", "DROP");
        }
        // A home router's firewall: from outside, only answers to what went out, for the LAN and for the router itself.
        foreach (var chain in new[] { "FORWARD", "INPUT" })
        {
            Run(router, "iptables", "-A", chain, "-i", wan, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
            Run(router, "iptables", "-A", chain, "-i", wan, "-j", "DROP");
        }
    }

    /// <summary>The hub's address as both homes reach it.</summary>
    public string HubAddress => Net(0) + ".1";

    private void Join(string left, string right, string net, string suffix) => Plumbing.Join(_tag, left, right, net, suffix);

    private static void Sysctl(string ns) => Run(ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");

    private static void Run(string ns, string file, params string[] args) => NetworkNamespaces.Run("ip", ["netns", "exec", ns, file, .. args]);

    private static void Ip(params string[] args) => Plumbing.Ip(args);

    public void Dispose() => Plumbing.Delete([Internet, RouterA, RouterB, A, B]);
}
