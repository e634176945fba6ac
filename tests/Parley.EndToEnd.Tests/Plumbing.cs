using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>What the namespace topologies share: veth pairs between namespaces, and waiting on a probe.</summary>
internal static class Plumbing
{
    /// <summary>A veth named after <paramref name="tag"/> and <paramref name="suffix"/> between two namespaces: <paramref name="left"/> gets .2, <paramref name="right"/> .1.</summary>
    public static void Join(string tag, string left, string right, string net, string suffix)
    {
        var (l, r) = ($"v{tag}{suffix}l", $"v{tag}{suffix}r");
        Ip("link", "add", l, "type", "veth", "peer", "name", r);
        Ip("link", "set", l, "netns", left);
        Ip("link", "set", r, "netns", right);
        Ip("-n", left, "addr", "add", net + ".2/24", "dev", l);
        Ip("-n", right, "addr", "add", net + ".1/24", "dev", r);
        Ip("-n", left, "link", "set", l, "up");
        Ip("-n", right, "link", "set", r, "up");
    }

    public static void Ip(params string[] args) => NetworkNamespaces.Run("ip", args);

    /// <summary>Deletes the namespaces (their veths go with them), ignoring ones already gone.</summary>
    public static void Delete(IEnumerable<string> namespaces)
    {
        foreach (var ns in namespaces)
        {
            try
            {
                Ip("netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>The probe's first non-null answer, polled every 250 ms; fails the test after <paramref name="seconds"/>.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T?>> probe, string what, int seconds = 30) where T : struct
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(250);
        }
    }
}
