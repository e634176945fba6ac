using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>How one home reaches the internet in an <see cref="InternetLab"/>.</summary>
/// <param name="Nat">The home router's NAT; null: the node has a public address of its own.</param>
/// <param name="Carrier">A carrier's NAT above the home router (double NAT); null: none.</param>
/// <param name="BlockUdp">The home router drops all UDP both ways (a restrictive network).</param>
/// <param name="Upnp">The home router runs miniupnpd (NAT-PMP, PCP, UPnP-IGD).</param>
internal sealed record HomeUplink(NatKind? Nat, NatKind? Carrier = null, bool BlockUdp = false, bool Upnp = false)
{
    public static HomeUplink Public { get; } = new((NatKind?)null);

    public override string ToString() => Nat is not { } nat ? "public"
        : $"{(Carrier is { } carrier ? $"{Name(carrier)} carrier NAT + " : "")}{Name(nat)}{(BlockUdp ? ", UDP blocked" : "")}{(Upnp ? ", miniupnpd" : "")}";

    private static string Name(NatKind kind) => kind == NatKind.Symmetric ? "symmetric" : "masquerade";
}

/// <summary>
/// A small internet in network namespaces for the NAT matrix: a hub's namespace that routes between
/// uplinks, and two homes each reached through its own <see cref="HomeUplink"/> (a public address, a
/// home router, or a home router behind a carrier's) — or both homes on one LAN behind one router.
/// Routers masquerade and, like home routers, let in from outside only answers to what went out.
/// </summary>
internal sealed class InternetLab : IDisposable
{
    private static int s_next;
    private readonly string _tag;
    private readonly int _net;
    private readonly List<string> _namespaces = [];
    private readonly List<MiniUpnpd> _upnp = [];
    private int _nextNet;

    private InternetLab(string tag, int net)
    {
        _tag = tag;
        _net = net;
    }

    public string Internet => $"pl{_tag}i";

    public string A => $"pl{_tag}a";

    public string B => $"pl{_tag}b";

    /// <summary>Two homes, each with its own uplink.</summary>
    public static InternetLab Create(HomeUplink a, HomeUplink b)
    {
        var lab = New();
        lab.Add(lab.Internet);
        HomeRouter.Forward(lab.Internet);
        lab.Home(lab.A, "a", a);
        lab.Home(lab.B, "b", b);
        return lab;
    }

    /// <summary>Both nodes on one LAN (a bridge in their router), the router masquerading to the internet.</summary>
    public static InternetLab SharedLan()
    {
        var lab = New();
        foreach (var ns in new[] { lab.Internet, $"pl{lab._tag}r", lab.A, lab.B })
        {
            lab.Add(ns);
        }
        var router = $"pl{lab._tag}r";
        HomeRouter.Forward(lab.Internet);
        var wan = lab.Net();
        lab.Join(router, lab.Internet, wan, "w");
        var lan = lab.Net();
        Ip("-n", router, "link", "add", "br0", "type", "bridge");
        Ip("-n", router, "addr", "add", lan + ".1/24", "dev", "br0");
        Ip("-n", router, "link", "set", "br0", "up");
        var host = 2;
        foreach (var (node, suffix) in new[] { (lab.A, "a"), (lab.B, "b") })
        {
            var (inside, port) = ($"v{lab._tag}{suffix}n", $"v{lab._tag}{suffix}p");
            Ip("link", "add", inside, "type", "veth", "peer", "name", port);
            Ip("link", "set", inside, "netns", node);
            Ip("link", "set", port, "netns", router);
            Ip("-n", router, "link", "set", port, "master", "br0");
            Ip("-n", router, "link", "set", port, "up");
            Ip("-n", node, "addr", "add", $"{lan}.{host++}/24", "dev", inside);
            Ip("-n", node, "link", "set", inside, "up");
            Ip("-n", node, "route", "add", "default", "via", lan + ".1");
        }
        HomeRouter.Configure(router, $"v{lab._tag}wl", wan, NatKind.Masquerade);
        return lab;
    }

    private static InternetLab New()
    {
        var n = Interlocked.Increment(ref s_next);
        return new InternetLab($"{Environment.ProcessId % 1000}{n}", (Environment.ProcessId + n) % 40);
    }

    /// <summary>The node's namespace, reached from the internet as <paramref name="uplink"/> says.</summary>
    private void Home(string node, string name, HomeUplink uplink)
    {
        Add(node);
        if (uplink.Nat is not { } nat)
        {
            var net = Net();
            Join(node, Internet, net, name + "w");
            Ip("-n", node, "route", "add", "default", "via", net + ".1");
            return;
        }
        var upstream = Internet;
        if (uplink.Carrier is { } carrier)
        {
            var carrierNs = $"pl{_tag}{name}c";
            Add(carrierNs);
            var carrierWan = Net();
            Join(carrierNs, Internet, carrierWan, name + "c");
            HomeRouter.Configure(carrierNs, $"v{_tag}{name}cl", carrierWan, carrier);
            upstream = carrierNs;
        }
        var router = $"pl{_tag}{name}r";
        Add(router);
        // miniupnpd forwards only from a public-looking outside address (not private, not 100.64/10).
        var wan = uplink.Upnp ? $"100.{_net}.{_nextNet++}" : Net();
        Join(router, upstream, wan, name + "w");
        var lan = Net();
        Join(node, router, lan, name + "l");
        Ip("-n", node, "route", "add", "default", "via", lan + ".1");
        HomeRouter.Configure(router, $"v{_tag}{name}wl", wan, nat, uplink.BlockUdp);
        if (uplink.Upnp)
        {
            _upnp.Add(HomeRouter.StartUpnp(router, $"v{_tag}{name}wl", $"v{_tag}{name}lr", lan));
        }
    }

    private string Net() => $"10.{100 + _net}.{_nextNet++}";

    private void Add(string ns)
    {
        Ip("netns", "add", ns);
        _namespaces.Add(ns);
        Ip("-n", ns, "link", "set", "lo", "up");
    }

    private void Join(string left, string right, string net, string suffix) => Plumbing.Join(_tag, left, right, net, suffix);

    private static void Ip(params string[] args) => Plumbing.Ip(args);

    public void Dispose()
    {
        foreach (var daemon in _upnp)
        {
            daemon.Dispose();
        }
        Plumbing.Delete(_namespaces);
    }
}
