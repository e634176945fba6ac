using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>What every test router does: forward, masquerade on its WAN, and keep out the unasked.</summary>
internal static class HomeRouter
{
    /// <summary>
    /// Forwards, masquerades on its WAN, and lets in from outside only what answers a mapping — also
    /// to itself: a router that accepted a stray datagram to its own port would keep a conntrack entry
    /// for it, and the next mapping of that port would have to take another (the peer's checks then
    /// come from a port nobody named). With <paramref name="blockUdp"/>, no UDP passes either way.
    /// </summary>
    public static void Configure(string router, string wan, string outside, NatKind nat, bool blockUdp = false)
    {
        Forward(router);
        Plumbing.Ip("-n", router, "route", "add", "default", "via", outside + ".1");
        Run(router, "iptables", ["-t", "nat", "-A", "POSTROUTING", "-o", wan, "-j", "MASQUERADE", .. nat == NatKind.Symmetric ? (string[])["--random-fully"] : []]);
        if (blockUdp || nat == NatKind.UdpBlocked)
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

    /// <summary>miniupnpd on the router, as a home router runs its UPnP daemon: connections it forwarded (DNAT) pass the firewall.</summary>
    public static MiniUpnpd StartUpnp(string router, string wan, string lan, string lanNet)
    {
        Run(router, "iptables", "-I", "FORWARD", "1", "-i", wan, "-m", "conntrack", "--ctstate", "DNAT", "-j", "ACCEPT");
        return MiniUpnpd.Start(router, wan, lan, lanNet);
    }

    /// <summary>Lets the namespace route between its interfaces.</summary>
    public static void Forward(string ns) => Run(ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");

    public static void Run(string ns, string file, params string[] args) => NetworkNamespaces.Run("ip", ["netns", "exec", ns, file, .. args]);
}
