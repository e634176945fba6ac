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
    private readonly bool _upnpA;
    private readonly List<DelayBridge> _wires = [];

    private NatTopology(string tag, int net, bool upnpA)
    {
        _tag = tag;
        _net = net;
        _upnpA = upnpA;
    }

    /// <summary>miniupnpd on router A, when asked for.</summary>
    public MiniUpnpd? UpnpA { get; private set; }

    /// <summary>Router A's outside address (where its port mappings are).</summary>
    public string RouterAWanAddress => Net(0) + ".2";

    public string Internet => $"pn{_tag}i";

    /// <summary>Where the internet's default route leads: a namespace that drops whatever it gets.</summary>
    private string Rest => $"pn{_tag}r";

    public string RouterA => $"pn{_tag}x";

    public string RouterB => $"pn{_tag}y";

    public string A => $"pn{_tag}a";

    public string B => $"pn{_tag}b";

    /// <summary>Private networks, except router A's outside one when it runs miniupnpd, which refuses to forward from a private or reserved address (so 100.0–29.x, below 100.64/10).</summary>
    private string Net(int offset) => offset == 0 && _upnpA ? $"100.{_net}.0" : $"10.{60 + _net}.{offset}";

    /// <param name="upnpA">Router A also runs miniupnpd (NAT-PMP, PCP, UPnP-IGD) for its LAN.</param>
    /// <param name="wanDelay">Each router's WAN wire holds every frame this long each way (a <see cref="DelayBridge"/>), so every path between the homes, direct or through the hub, crosses two such wires.</param>
    public static NatTopology Create(NatKind natA, NatKind natB, bool upnpA = false, TimeSpan? wanDelay = null)
    {
        var n = Interlocked.Increment(ref s_next);
        var topology = new NatTopology($"{Environment.ProcessId % 10000}{n}", (Environment.ProcessId + n) % 30, upnpA);
        try
        {
            topology.Build(natA, natB, wanDelay);
        }
        catch
        {
            topology.Dispose();
            throw;
        }
        return topology;
    }

    private void Build(NatKind natA, NatKind natB, TimeSpan? wanDelay)
    {
        foreach (var ns in new[] { Internet, RouterA, RouterB, A, B, Rest })
        {
            Ip("netns", "add", ns);
            Ip("-n", ns, "link", "set", "lo", "up");
        }
        // Outside: each router's WAN on its own network to the internet namespace, which forwards between them.
        Join(RouterA, Internet, Net(0), "wa", wanDelay);
        Join(RouterB, Internet, Net(1), "wb", wanDelay);
        HomeRouter.Forward(Internet);
        // The rest of the internet: a default route to a namespace that forwards nothing, so a datagram
        // for an address nobody here has (a home's LAN address) leaves and is lost, as it is on a real
        // internet host, instead of failing at once (coturn ends an allocation whose send to a peer fails).
        Join(Rest, Internet, Net(4), "rs");
        Ip("-n", Internet, "route", "add", "default", "via", Net(4) + ".2");
        // Inside: each home on its router's LAN.
        Join(A, RouterA, Net(2), "la");
        Join(B, RouterB, Net(3), "lb");
        Ip("-n", A, "route", "add", "default", "via", Net(2) + ".1");
        Ip("-n", B, "route", "add", "default", "via", Net(3) + ".1");
        HomeRouter.Configure(RouterA, $"v{_tag}wal", Net(0), natA);
        HomeRouter.Configure(RouterB, $"v{_tag}wbl", Net(1), natB);
        if (_upnpA)
        {
            UpnpA = HomeRouter.StartUpnp(RouterA, $"v{_tag}wal", $"v{_tag}lar", Net(2));
        }
    }

    /// <summary>
    /// Cuts or restores home A's uplink at the internet's side: silently, as when a provider's line
    /// drops (no reset, no ICMP: the router's own side stays up and nothing answers).
    /// </summary>
    public void SetUplinkA(bool up) => Ip("-n", Internet, "link", "set", $"v{_tag}war", up ? "up" : "down");

    /// <summary>The hub's address as both homes reach it.</summary>
    public string HubAddress => Net(0) + ".1";

    private void Join(string left, string right, string net, string suffix) => Plumbing.Join(_tag, left, right, net, suffix);

    /// <summary>A WAN wire: plain, or two veth pairs whose outer ends (here, in the test's namespace) a delay bridge joins.</summary>
    private void Join(string left, string right, string net, string suffix, TimeSpan? delay)
    {
        if (delay is not { } oneWay)
        {
            Join(left, right, net, suffix);
            return;
        }
        var (l, r, outerL, outerR) = ($"v{_tag}{suffix}l", $"v{_tag}{suffix}r", $"v{_tag}{suffix}x", $"v{_tag}{suffix}y");
        Ip("link", "add", l, "type", "veth", "peer", "name", outerL);
        Ip("link", "add", r, "type", "veth", "peer", "name", outerR);
        foreach (var outer in new[] { outerL, outerR })
        {
            // The outer ends carry only what the bridge copies: no addresses, no IPv6 chatter of their own.
            File.WriteAllText($"/proc/sys/net/ipv6/conf/{outer}/disable_ipv6", "1");
            Ip("link", "set", outer, "promisc", "on", "up");
        }
        Ip("link", "set", l, "netns", left);
        Ip("link", "set", r, "netns", right);
        Ip("-n", left, "addr", "add", net + ".2/24", "dev", l);
        Ip("-n", right, "addr", "add", net + ".1/24", "dev", r);
        foreach (var (ns, dev) in new[] { (left, l), (right, r) })
        {
            Ip("-n", ns, "link", "set", dev, "up");
            // The bridge copies frames, not offloads: checksums filled in and every frame within the MTU.
            NetworkNamespaces.Run("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
        }
        _wires.Add(new DelayBridge(outerL, outerR, oneWay));
    }

    private static void Ip(params string[] args) => Plumbing.Ip(args);

    public void Dispose()
    {
        UpnpA?.Dispose();
        foreach (var wire in _wires)
        {
            wire.Dispose();
        }
        Plumbing.Delete([Internet, RouterA, RouterB, A, B, Rest]);
    }
}
