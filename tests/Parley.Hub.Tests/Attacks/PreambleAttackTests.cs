using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.Attacks;

/// <summary>Tests that measure the process's CPU time run alone, so no other test's work is counted.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuresCpu
{
    public const string Name = "measures CPU";
}

/// <summary>
/// Connections that start a relay preamble and stop (one byte "P", or "PRL") are a stranger's
/// cheapest attack on the hub's listener: they must cost it neither CPU nor its ability to take
/// real members, and each is closed once its preamble deadline passes.
/// </summary>
[Collection(MeasuresCpu.Name)]
public sealed class PreambleAttackTests : HubTestBase
{
    [Fact]
    public async Task PartialPreambles_HeldOpen_NeitherSpinTheHub_NorKeepMembersOut_AndAreClosedAtTheirDeadline()
    {
        var hub = new IPEndPoint(IPAddress.Loopback, Hub.Port);
        var partial = await OpenPartialAsync(hub);
        try
        {
            // Real members join (TLS handshakes on the same port), look each other up, and chat.
            await using var alice = await OnHubAsync("alice");
            await using var bob = await OnHubAsync("bob");
            // Bob's directory entry follows his presence by a moment (CI once asked in between): wait for it, as a person would retry.
            await Wait.UntilAsync(async () => (await alice.Node.HubDirectory.WhoisAsync("bob")).Any(entry => entry.DeviceId == bob.Id), "alice to find bob");
            await TestNode.BefriendAsync(alice, bob);
            var sent = await alice.Node.Chat.SendAsync(bob.Id, "still here");
            var delivered = Stopwatch.StartNew();
            await Wait.UntilAsync(async () => (await bob.HistoryWith(alice)).Any(m => m.Id == sent.Id), "the chat message");
            Assert.True(delivered.Elapsed < TimeSpan.FromSeconds(1), $"the message took {delivered.Elapsed.TotalMilliseconds:0} ms");

            // The attack goes on with fresh connections while the members are idle: the process stays
            // nearly idle too (sixteen spinning connections would take whatever CPU the machine gives;
            // on this shared test machine that was half a core or more).
            partial.AddRange(await OpenPartialAsync(hub));
            await Task.Delay(200);
            var cpu = WorkCpu();
            var window = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var spent = WorkCpu() - cpu;
            Assert.True(spent < window.Elapsed * 0.25, $"the process spent {spent.TotalMilliseconds:0} ms of CPU in {window.Elapsed.TotalMilliseconds:0} ms");

            // None was ever a relay: each is closed once its preamble deadline (5 s by default) has passed.
            foreach (var socket in partial)
            {
                Assert.True(await ClosedAsync(socket), "a partial preamble was left open");
            }
            Assert.Equal(0, Hub.Relay.ActiveSessions);
        }
        finally
        {
            partial.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Eight connections that sent "P" and eight that sent "PRL", all held open.</summary>
    private static async Task<List<Socket>> OpenPartialAsync(IPEndPoint hub)
    {
        List<Socket> partial = [.. await RawConnections.OpenAsync(hub, 8, "P"u8.ToArray()), .. await RawConnections.OpenAsync(hub, 8, "PRL"u8.ToArray())];
        Assert.Equal(16, partial.Count);
        return partial;
    }

    /// <summary>
    /// CPU time of the process's threads but the runtime's JIT and GC threads: after heavy tests,
    /// tiered compilation rejits hot code for a while, which is noise here, not the hub's work.
    /// </summary>
    private static TimeSpan WorkCpu()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Process.GetCurrentProcess().TotalProcessorTime;
        }
        long ticks = 0;
        foreach (var thread in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(thread, "comm"));
                if (name.Contains("Tiered", StringComparison.Ordinal) || name.Contains("GC", StringComparison.Ordinal))
                {
                    continue;
                }
                var stat = File.ReadAllText(Path.Combine(thread, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime, stime
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The thread ended meanwhile.
            }
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // in clock ticks (USER_HZ, 100 on Linux)
    }

    /// <summary>True once the hub has closed the connection (within 10 s).</summary>
    private static async Task<bool> ClosedAsync(Socket socket)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[8]).WaitAsync(TimeSpan.FromSeconds(10)) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }
}
