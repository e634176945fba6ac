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
        Plumbing.Join(_tag, A, Hub, Net(0), "h");
        Plumbing.Join(_tag, B, Hub, Net(1), "g");
    }

    public string AddressA => Net(0) + ".2";

    public string AddressB => Net(1) + ".2";

    /// <summary>Links A and B directly and routes each one's hub-side network through it.</summary>
    public void AddDirectRoute()
    {
        Plumbing.Join(_tag, B, A, Net(2), "d"); // B gets .2, A gets .1
        Ip("-n", A, "route", "add", Net(1) + ".0/24", "via", Net(2) + ".2");
        Ip("-n", B, "route", "add", Net(0) + ".0/24", "via", Net(2) + ".1");
    }

    private static void Ip(params string[] args) => Plumbing.Ip(args);

    public void Dispose() => Plumbing.Delete([Hub, A, B]);
}
