using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.Core.Calls;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Issue 18, "one weak receiver does not lower everyone's picture": a <c>parley hub</c> process alone in a
/// network namespace, three <c>parley up</c> processes in a room call through it. alice's page channel sends
/// video in three temporal layers (L1T3: 0, 2, 1, 2, ...) at 30 frames a second; the hub's packets to carol
/// lose 20 % (iptables statistic in the hub's namespace, on carol's UDP port only), bob's none. Once the hub
/// has carol's reports, carol gets the base layer (fewer frames, still moving) while bob keeps every frame.
/// </summary>
public sealed class RoomCallLayerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-room-call-layers-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task AReceiverBehindLoss_GetsTheBaseLayer_WhileTheOtherKeepsEveryFrame()
    {
        using var ns = HubNamespace.Create();
        var port = 21_000 + (Environment.ProcessId % 20_000);
        await using var cluster = await RoomCluster.StartAsync(ParleyRunner.InNamespace(ns.Name), _root, ["alice", "bob", "carol"], ["--port", $"{port}"]);
        var (alice, bob, carol) = (cluster["alice"], cluster["bob"], cluster["carol"]);
        await cluster.CreateAsync(alice, "team");
        await cluster.JoinAsync(alice, bob, "team");
        await cluster.JoinAsync(alice, carol, "team");
        await bob.PostAsync("api/rooms/%23team/call", new { video = false });
        var carolBefore = UdpPorts(carol.Process!.Process.Id);
        await carol.PostAsync("api/rooms/%23team/call", new { video = false });
        var carolCall = UdpPorts(carol.Process!.Process.Id).Except(carolBefore).Single(); // the socket her node made for the call
        await alice.PostAsync("api/rooms/%23team/call", new { video = true });
        NetworkNamespaces.Run("ip", "netns", "exec", ns.Name, "iptables", "-A", "OUTPUT", "-p", "udp", "--dport", $"{carolCall}",
            "-m", "statistic", "--mode", "random", "--probability", "0.2", "-j", "DROP");

        using var sender = await alice.OpenSocketAsync("api/rooms/%23team/call/media");
        var writer = new ArrayBufferWriter<byte>();
        var frame = new byte[2_500]; // three packets a frame, as a small camera's
        var clock = Stopwatch.StartNew();
        var (bobAt, carolAt) = (0L, 0L);
        for (var n = 0; clock.Elapsed < TimeSpan.FromSeconds(9); n++)
        {
            byte layer = (n % 4) switch { 0 => 0, 2 => 1, _ => 2 };
            writer.ResetWrittenCount();
            new PageFrame(StreamKind.Video, n % 90 == 0, 1, (uint)(clock.Elapsed.TotalSeconds * 90_000), frame, layer).Write(writer);
            await sender.SendAsync(writer.WrittenMemory, WebSocketMessageType.Binary, true, CancellationToken.None);
            if (n == 120)
            {
                // Four seconds in: the hub has had eight reports from each; count from here.
                (bobAt, carolAt) = (await VideoFramesAsync(bob), await VideoFramesAsync(carol));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(33 * (n + 1)) - clock.Elapsed is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
        }
        await Task.Delay(500);
        var (bobGot, carolGot) = (await VideoFramesAsync(bob) - bobAt, await VideoFramesAsync(carol) - carolAt);
        var sent = (int)((clock.Elapsed.TotalSeconds - 4) * 30);
        output.WriteLine($"after the first four seconds: about {sent} frames sent; bob got {bobGot}, carol {carolGot}");
        Assert.True(bobGot >= 0.85 * sent, $"bob, on a clean path, got {bobGot} of about {sent} frames: the weak receiver lowered his picture too\n{cluster.Logs()}");
        Assert.True(carolGot <= 0.6 * bobGot, $"carol, behind 20 % loss, got {carolGot} frames against bob's {bobGot}: no lower layer for her");
        Assert.True(carolGot >= 0.1 * bobGot, $"carol got {carolGot} frames: the base layer should still reach her");
    }

    private static async Task<long> VideoFramesAsync(ClusterNode node)
    {
        using var info = JsonDocument.Parse(await node.GetStringAsync("api/rooms/%23team/call"));
        return info.RootElement.GetProperty("counters").GetProperty("videoFrames").GetInt64();
    }

    /// <summary>The UDP ports a process has open (from <c>ss</c>).</summary>
    private static HashSet<int> UdpPorts(int pid)
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", "-Huanp") { RedirectStandardOutput = true })!;
        var listing = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        var ports = new HashSet<int>();
        foreach (var line in listing.Split('\n').Where(l => l.Contains($"pid={pid},", StringComparison.Ordinal)))
        {
            var local = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
            ports.Add(int.Parse(local[(local.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        return ports;
    }
}
