using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Traversal;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.Core.Tests.Traversal;

/// <summary>
/// The figure for docs/benchmarks.md: round trip of small datagrams through coturn (two allocations,
/// ChannelData both ways) against plain UDP between two sockets, on loopback in the same run.
/// </summary>
public sealed class TurnRoundTripTests(ITestOutputHelper output)
{
    private const int Pings = 200;
    private const int Runs = 3;

    [Fact]
    public async Task RoundTrip_ThroughCoturn_AgainstDirectUdp()
    {
        await using var coturn = await CoturnProcess.StartAsync();
        TurnServer.TryParse(coturn.Uri, CoturnProcess.User, CoturnProcess.Password, out var server, out _);
        for (var run = 1; run <= Runs; run++)
        {
            var direct = await DirectAsync();
            await using var alice = await TurnAllocation.AllocateAsync(server!);
            await using var bob = await TurnAllocation.AllocateAsync(server!);
            await alice.PermitAsync(bob.RelayedAddress, CancellationToken.None);
            await bob.PermitAsync(alice.RelayedAddress, CancellationToken.None);
            await Task.Delay(200); // channels bound: the steady state a call sees
            var relayed = await RelayedAsync(alice, bob);
            output.WriteLine($"run {run}: direct UDP {Describe(direct)}; through coturn {Describe(relayed)}");
            Assert.Equal(Pings, relayed.Count);
            Assert.True(Median(relayed) < 20, Describe(relayed));
        }
    }

    private static async Task<List<double>> DirectAsync()
    {
        using var a = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var b = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        a.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        b.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var times = new List<double>();
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (var i = 0; i < Pings; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await a.SendToAsync(buffer.AsMemory(0, 32), SocketFlags.None, b.LocalEndPoint!, timeout.Token);
            var got = await b.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            await b.SendToAsync(buffer.AsMemory(0, got.ReceivedBytes), SocketFlags.None, got.RemoteEndPoint, timeout.Token);
            await a.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }

    private static async Task<List<double>> RelayedAsync(TurnAllocation alice, TurnAllocation bob)
    {
        var times = new List<double>();
        var buffer = new byte[64];
        var datagram = new byte[32];
        for (var i = 0; i < Pings; i++)
        {
            // A lost one is counted missing, not waited for long; 3 s, since a loaded machine (CI) stalled one round trip past 1 s.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                var start = Stopwatch.GetTimestamp();
                await alice.SendAsync(bob.RelayedAddress, datagram, timeout.Token);
                var (_, length) = await bob.ReceiveAsync(buffer, timeout.Token);
                await bob.SendAsync(alice.RelayedAddress, buffer.AsMemory(0, length), timeout.Token);
                await alice.ReceiveAsync(buffer, timeout.Token);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return times;
    }

    private static double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);

    private static string Describe(List<double> times)
    {
        var sorted = times.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{sorted.Count}/{Pings}, median {sorted[sorted.Count / 2]:0.000} ms, p90 {sorted[(int)(sorted.Count * 0.9)]:0.000} ms, max {sorted[^1]:0.000} ms");
    }
}
