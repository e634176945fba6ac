using System.Buffers.Binary;
using System.Diagnostics;
using Parley.Core.Hub.RoomCalls;
using Parley.Testing;
using static Parley.Hub.Tests.RoomCalls.RoomCallParties;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// Per-receiver temporal layers: a receiver whose reports say it loses packets gets fewer of a source's
/// layers while the others keep them all; what the hub skipped for it is not resent on its NACK.
/// </summary>
public sealed class RoomCallLayerTests : HubTestBase
{
    /// <summary>The L1T3 pattern a WebCodecs encoder gives, frame by frame.</summary>
    private static readonly int[] L1T3 = [0, 2, 1, 2];

    [Fact]
    public async Task ReceiverReportingLoss_GetsTheBaseLayer_TheOtherKeepsAllLayers_AndSkippedPacketsAreNotResent()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob", "carol");
        var (alice, bob, carol) = (clients[0], clients[1], clients[2]);
        var clock = Stopwatch.StartNew();
        var run = TimeSpan.FromSeconds(7);
        var judgedFrom = TimeSpan.FromSeconds(4.5);
        var sender = Task.Run(async () =>
        {
            for (var frame = 0; clock.Elapsed < run; frame++)
            {
                var layer = L1T3[frame % L1T3.Length];
                alice.SendMedia(RoomCallHop.VideoStream, (ushort)frame, Body($"f{frame}", 300), RoomCallHop.LayerFlags(layer) | RoomCallHopFlags.EndOfFrame);
                await Task.Delay(33);
            }
        });
        // bob reports what arrived; carol reports only 70 % of it, as a receiver behind 30 % loss would.
        var bobLayers = Task.Run(() => ReceiveAndReportAsync(bob, clock, run, judgedFrom, alice.Participant, reported: 1.0));
        var carolLayers = Task.Run(() => ReceiveAndReportAsync(carol, clock, run, judgedFrom, alice.Participant, reported: 0.7));
        await sender;
        var ((atBob, bobTops), (atCarol, _)) = (await bobLayers, await carolLayers);

        Assert.True(atBob[0] > 10 && atBob[1] > 10 && atBob[2] > 20, $"bob by layer: {string.Join(", ", atBob)}");
        Assert.True(atCarol[0] > 10, $"carol by layer: {string.Join(", ", atCarol)}");
        Assert.Equal(0, atCarol[1] + atCarol[2]);
        Assert.True(Hub.RoomCalls.Skipped > 0);

        // The last layer-2 frame bob was sent (under load his late reports can look like loss near the end and
        // step him down too, so not simply the last one alice sent): carol's NACK for it is not answered (skipped
        // for her on purpose), bob's is.
        var lastTop = bobTops[^1];
        carol.SendNack(alice.Participant, lastTop);
        Assert.DoesNotContain(await carol.DrainAsync(TimeSpan.FromMilliseconds(400)), p => IsMedia(p, alice.Participant));
        bob.SendNack(alice.Participant, lastTop);
        Assert.Contains(await bob.DrainAsync(TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3)), p => IsMedia(p, alice.Participant) && p.Header.Sequence == lastTop);
    }

    /// <summary>
    /// Receives until <paramref name="until"/>, reporting every 500 ms; alice's video packets by layer, counted from
    /// <paramref name="from"/> on, and the sequences of her L1T3 top-layer packets that came.
    /// </summary>
    private static async Task<(int[] ByLayer, List<ushort> TopLayer)> ReceiveAndReportAsync(RoomCallClient client, Stopwatch clock, TimeSpan until, TimeSpan from, ushort source, double reported)
    {
        var byLayer = new int[RoomCallHop.TopLayer + 1];
        var topLayer = new List<ushort>();
        var received = 0;
        var nextReport = RoomCallHop.ReportInterval;
        var body = new byte[RoomCallHop.ReportSize];
        while (clock.Elapsed < until)
        {
            if (await client.ReceiveAsync(TimeSpan.FromMilliseconds(50)) is { } got)
            {
                received++;
                if (IsMedia(got, source) && clock.Elapsed >= from)
                {
                    byLayer[got.Header.Layer]++;
                    if (got.Header.Layer == L1T3.Max())
                    {
                        topLayer.Add(got.Header.Sequence);
                    }
                }
            }
            if (clock.Elapsed >= nextReport)
            {
                nextReport += RoomCallHop.ReportInterval;
                BinaryPrimitives.WriteUInt32BigEndian(body, (uint)(received * reported));
                client.SendUdp(client.Packet(RoomCallHopKind.Report, RoomCallHop.VideoStream, 0, body));
            }
        }
        return (byLayer, topLayer);
    }

    [Fact]
    public async Task JoinsOfOneDeviceAtOnce_LeaveItInOneCall()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice");
        var member = Hub.RoomCalls.CallOf(clients[0].Link.Identity.DeviceId)!.Value.Participant.Member;
        using var together = new Barrier(4);
        for (var round = 0; round < 200; round++)
        {
            var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            {
                together.SignalAndWait();
                Hub.RoomCalls.Join(member, 0, i % 2 == 0 ? "team" : "other", RoomCallMedia.Audio);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Equal(1, Hub.RoomCalls.Calls); // a second call here holds the device it forgot
        }
    }
}
