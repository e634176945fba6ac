using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Three namespaces: a hub H reachable from A (10.49.x.0/24) and from B (10.49.y.0/24), which
/// cannot reach each other (H does not forward). <see cref="AddDirectRoute"/> later joins A and B
/// with their own veth and routes, as when two peers become reachable.
/// </summary>
internal sealed class HubTopology : IDisposable
{
    private static int s_next;
    private readonly string _tag;
    private readonly int _net;

    private HubTopology(string tag, int net)
    {
        _tag = tag;
        _net = net;
    }

    public string Hub => $"ph{_tag}h";

    public string A => $"ph{_tag}a";

    public string B => $"ph{_tag}b";

    public static HubTopology Create()
    {
        var n = Interlocked.Increment(ref s_next);
        var topology = new HubTopology($"{Environment.ProcessId % 10000}{n}", 10 + (Environment.ProcessId + n) % 40 * 4);
        topology.Build();
        return topology;
    }

    private string Net(int offset) => $"10.49.{_net + offset}";

    private void Build()
    {
        foreach (var ns in new[] { Hub, A, B })
        {
            Ip("netns", "add", ns);
            Ip("-n", ns, "link", "set", "lo", "up");
        }
        Join(A, Hub, Net(0), "h");
        Join(B, Hub, Net(1), "g");
    }

    /// <summary>A veth between two namespaces: <paramref name="left"/> gets .2, <paramref name="right"/> .1.</summary>
    private void Join(string left, string right, string net, string suffix)
    {
        var (l, r) = ($"v{_tag}{suffix}l", $"v{_tag}{suffix}r");
        Ip("link", "add", l, "type", "veth", "peer", "name", r);
        Ip("link", "set", l, "netns", left);
        Ip("link", "set", r, "netns", right);
        Ip("-n", left, "addr", "add", net + ".2/24", "dev", l);
        Ip("-n", right, "addr", "add", net + ".1/24", "dev", r);
        Ip("-n", left, "link", "set", l, "up");
        Ip("-n", right, "link", "set", r, "up");
    }

    public string AddressA => Net(0) + ".2";

    public string AddressB => Net(1) + ".2";

    /// <summary>Links A and B directly and routes each one's hub-side network through it.</summary>
    public void AddDirectRoute()
    {
        Join(B, A, Net(2), "d"); // B gets .2, A gets .1
        Ip("-n", A, "route", "add", Net(1) + ".0/24", "via", Net(2) + ".2");
        Ip("-n", B, "route", "add", Net(0) + ".0/24", "via", Net(2) + ".1");
    }

    private static void Ip(params string[] args) => NetworkNamespaces.Run("ip", args);

    public void Dispose()
    {
        foreach (var ns in new[] { Hub, A, B })
        {
            try
            {
                Ip("netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
