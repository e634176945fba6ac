using System.Diagnostics;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Protocol;
using Parley.Node.Tests;
using Parley.Testing;
using static Parley.Hub.Tests.RoomCalls.RoomCallParties;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// The hub's forwarding unit with real UDP on the hub's port: each packet reaches every other participant
/// once with its body untouched, never its sender; joins and leaves are told at once and a leaver gets
/// nothing more; NACKs are answered from the hub's history; keyframe requests reach the sender once.
/// </summary>
public sealed class RoomCallForwardingTests : HubTestBase
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Expected = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Media_ReachesEveryOtherParticipant_BodyUnchanged_NeverItsSender()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob", "carol");
        var (alice, bob, carol) = (clients[0], clients[1], clients[2]);
        var bodies = Enumerable.Range(0, 20).Select(i => Body($"alice-{i}")).ToList();
        for (var i = 0; i < bodies.Count; i++)
        {
            alice.SendMedia(RoomCallHop.VideoStream, (ushort)i, bodies[i], i == 0 ? RoomCallHopFlags.Keyframe : RoomCallHopFlags.None);
        }
        foreach (var receiver in new[] { bob, carol })
        {
            var got = (await receiver.DrainAsync(Quiet, Expected)).Where(p => IsMedia(p, alice.Participant)).ToList();
            Assert.Equal(bodies.Count, got.Count);
            for (var i = 0; i < got.Count; i++)
            {
                Assert.Equal((ushort)i, got[i].Header.Sequence);
                Assert.Equal(bodies[i], RoomCallHop.Body(got[i].Packet).ToArray());
                Assert.Equal(receiver.Participant, got[i].Header.Hop); // sealed with the receiver's own hop key
            }
            Assert.True(got[0].Header.Flags.HasFlag(RoomCallHopFlags.Keyframe));
        }
        Assert.Empty(await alice.DrainAsync(Quiet));
        Assert.Equal(40, Hub.RoomCalls.Forwarded);
    }

    [Fact]
    public async Task Leaving_IsToldToTheOthersAtOnce_AndTheLeaverGetsNothingMoreWithin200ms()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob", "carol");
        var (alice, bob, carol) = (clients[0], clients[1], clients[2]);
        using var sending = new CancellationTokenSource();
        var sequence = (ushort)0;
        var sender = Task.Run(async () =>
        {
            while (!sending.IsCancellationRequested)
            {
                alice.SendMedia(RoomCallHop.AudioStream, sequence++, Body("voice", 120));
                await Task.Delay(5);
            }
        });
        Assert.NotNull(await carol.ReceiveAsync(TimeSpan.FromSeconds(2)));
        var left = Stopwatch.StartNew();
        await carol.Link.SendAsync(FrameType.RoomCallLeave, new RoomCallLeave(carol.CallId));
        var lastAtCarol = TimeSpan.Zero;
        var receiving = Task.Run(async () =>
        {
            while (await carol.ReceiveAsync(TimeSpan.FromSeconds(1)) is not null)
            {
                lastAtCarol = left.Elapsed;
            }
        });
        var noticed = await bob.WaitAsync<RoomCallNotice>(FrameType.RoomCallNotice, n => n.Change == RoomCallChange.Left && n.Participant == carol.Participant);
        Assert.NotNull(noticed);
        Assert.True(left.Elapsed < TimeSpan.FromSeconds(1), $"bob told of the leave after {left.Elapsed.TotalMilliseconds:0} ms");
        await receiving;
        await sending.CancelAsync();
        await sender;
        Assert.True(lastAtCarol < TimeSpan.FromMilliseconds(200), $"carol still got a packet {lastAtCarol.TotalMilliseconds:0} ms after she left");
        Assert.Contains(await bob.DrainAsync(Quiet, Expected), p => IsMedia(p, alice.Participant));
    }

    [Fact]
    public async Task Nack_IsAnsweredFromTheHubsHistory_AndWhatItLacksIsAskedOfTheSender()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob", "carol");
        var (alice, bob, carol) = (clients[0], clients[1], clients[2]);
        var bodies = Enumerable.Range(0, 5).Select(i => Body($"frame-{i}")).ToList();
        for (var i = 0; i < bodies.Count; i++)
        {
            alice.SendMedia(RoomCallHop.VideoStream, (ushort)(100 + i), bodies[i]);
        }
        Assert.Equal(5, (await bob.DrainAsync(Quiet, Expected)).Count);
        Assert.Equal(5, (await carol.DrainAsync(Quiet, Expected)).Count);

        bob.SendNack(alice.Participant, 101, 103, 999);
        var resent = (await bob.DrainAsync(Quiet, Expected)).Where(p => IsMedia(p, alice.Participant)).ToList();
        Assert.Equal([101, 103], resent.Select(p => (int)p.Header.Sequence));
        Assert.Equal(bodies[1], RoomCallHop.Body(resent[0].Packet).ToArray());
        var asked = (await alice.DrainAsync(Quiet, Expected)).Single();
        Assert.Equal(RoomCallHopKind.Nack, asked.Header.Kind);
        Assert.Equal([0x03, 0xE7], RoomCallHop.Body(asked.Packet).ToArray()); // 999: the one the hub no longer has
        Assert.Empty(await carol.DrainAsync(Quiet));
    }

    [Fact]
    public async Task KeyframeRequests_FromEveryReceiver_ReachTheSenderOnce()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob", "carol");
        var (alice, bob, carol) = (clients[0], clients[1], clients[2]);
        for (var i = 0; i < 3; i++)
        {
            bob.SendUdp(bob.Packet(RoomCallHopKind.KeyframeRequest, RoomCallHop.VideoStream, 0, [], source: alice.Participant));
            carol.SendUdp(carol.Packet(RoomCallHopKind.KeyframeRequest, RoomCallHop.VideoStream, 0, [], source: alice.Participant));
        }
        var asked = await alice.DrainAsync(TimeSpan.FromMilliseconds(200), Expected);
        Assert.Single(asked);
        Assert.Equal(RoomCallHopKind.KeyframeRequest, asked[0].Header.Kind);
        Assert.Equal(RoomCallHop.VideoStream, asked[0].Header.Stream);
    }

    [Fact]
    public async Task Participant_WhoseUdpDoesNotPass_SendsAndGetsPacketsOverItsLink()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: false, "alice", "bob");
        var (alice, bob) = (clients[0], clients[1]);
        Assert.Null(await alice.JoinCallAsync("team"));
        Assert.Null(await bob.JoinCallAsync("team", RoomCallMedia.Audio));
        await BindAsync(Hub, alice); // bob never binds: no UDP for him
        var body = Body("over-the-link");
        alice.SendMedia(RoomCallHop.AudioStream, 7, body);
        var atBob = await bob.WaitAsync<RoomCallPacket>(FrameType.RoomCallPacket);
        Assert.NotNull(atBob);
        Assert.True(bob.HopKey!.Verify(atBob.Bytes, fromHub: true));
        Assert.Equal(body, RoomCallHop.Body(atBob.Bytes).ToArray());

        await bob.Link.SendAsync(FrameType.RoomCallPacket, new RoomCallPacket(bob.Packet(RoomCallHopKind.Media, RoomCallHop.AudioStream, 1, body)));
        var atAlice = await alice.ReceiveAsync(TimeSpan.FromSeconds(2));
        Assert.NotNull(atAlice);
        Assert.Equal(bob.Participant, atAlice.Value.Header.Source);
    }

}
