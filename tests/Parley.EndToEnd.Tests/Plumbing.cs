using System.Diagnostics;
using System.Text.Json;
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

    /// <summary>
    /// Alice finds bob in the hub's directory, adds him by device ID and says "first"; bob accepts.
    /// Returns the time from the add to the request at bob, and to alice seeing "first" delivered.
    /// </summary>
    public static async Task<(TimeSpan RequestAtBob, TimeSpan Delivered)> BefriendAsync(NodeProcess alice, NodeProcess bob)
    {
        var bobId = await Eventually<JsonElement>(async () =>
        {
            var whois = await alice.CliAsync("whois", "bob", "--json");
            return whois.ExitCode == 0 && whois.Json.GetArrayLength() == 1 ? whois.Json[0].GetProperty("deviceId") : null;
        }, "alice to find bob in the directory");
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, (await alice.CliAsync("add", bobId.GetString()!)).ExitCode);
        Assert.Equal(0, (await alice.CliAsync("chat", bobId.GetString()!, "first")).ExitCode);
        await Eventually<bool>(async () => (await bob.CliAsync("requests", "--json")).Json.GetArrayLength() == 1 ? true : null, "alice's request at bob");
        var requestAtBob = clock.Elapsed;
        Assert.Equal(0, (await bob.CliAsync("accept", "alice")).ExitCode);
        await Eventually<bool>(async () => await MessageStateAsync(alice, "bob", "first") == "delivered" ? true : null, "the first message delivered");
        return (requestAtBob, clock.Elapsed);
    }

    /// <summary>The state (sent, delivered...) of the message <paramref name="text"/> in <paramref name="node"/>'s chat with <paramref name="peer"/>.</summary>
    public static async Task<string?> MessageStateAsync(NodeProcess node, string peer, string text)
    {
        var history = await node.CliAsync("history", peer, "--json");
        return history.ExitCode != 0 ? null : history.Json.EnumerateArray()
            .Where(m => m.GetProperty("text").GetString() == text).Select(m => m.GetProperty("state").GetString()).FirstOrDefault();
    }
}
