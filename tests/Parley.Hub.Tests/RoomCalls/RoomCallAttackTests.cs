using System.Net;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Hub.Rooms;
using Parley.Core.Protocol;
using Parley.Node.Tests;
using Parley.Testing;
using static Parley.Hub.Tests.RoomCalls.RoomCallParties;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// Strangers and hostile participants against the forwarding unit, over real sockets: nobody outside a
/// room joins its call; the limits refuse the next participant plainly; packets naming an unknown call,
/// participant or stream, or forged under another's ID, are dropped, counted, and reach nobody; a
/// flooding participant is cut off while the others' media keeps flowing.
/// </summary>
public sealed class RoomCallAttackTests : HubTestBase
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    protected override HubOptions Options(int port) => base.Options(port) with { RoomCallVideoParticipants = 3, RoomCallParticipants = 4 };

    [Fact]
    public async Task Stranger_OutsideTheRoom_CannotJoinItsCall_NorSendKeysIntoIt()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob");
        await using var mallory = await RoomCallClient.ConnectAsync(Hub.Port, "mallory", IPAddress.Parse("127.0.0.66"));
        Assert.Equal("you are not a member of #team: only its members join its call", await mallory.JoinCallAsync("team"));
        await mallory.Link.SendAsync(FrameType.RoomCallKey, new RoomCallKey(clients[0].CallId, clients[1].Participant, [1, 2, 3]));
        Assert.Null(await clients[1].WaitAsync<RoomCallKey>(FrameType.RoomCallKey, timeout: Quiet));
        Assert.Single(Hub.RoomCalls.CallOf(clients[0].Link.Identity.DeviceId)!.Value.Call.Participants, p => p.Device == clients[1].Link.Identity.DeviceId);
        Assert.Equal(2, Hub.RoomCalls.CallOf(clients[0].Link.Identity.DeviceId)!.Value.Call.Participants.Length);

        // A member's sealed key reaches the one it names, with the hub naming the real sender.
        await clients[0].Link.SendAsync(FrameType.RoomCallKey, new RoomCallKey(clients[0].CallId, clients[1].Participant, [1, 2, 3]));
        var key = await clients[1].WaitAsync<RoomCallKey>(FrameType.RoomCallKey);
        Assert.Equal(clients[0].Participant, key?.Participant);
    }

    [Fact]
    public async Task MemberRemovedFromTheRoom_OrLeavingIt_IsOutOfItsCallAtOnce_AndHearsNothingMore()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob", "carol");
        var (alice, bob, carol) = (clients[0], clients[1], clients[2]);
        Assert.Null(await alice.RoomAsync(RoomOp.Remove, "team", bob.Link.Identity.DeviceId.Bytes.ToArray()));
        Assert.NotNull(await carol.WaitAsync<RoomCallNotice>(FrameType.RoomCallNotice, n => n.Change == RoomCallChange.Left && n.Participant == bob.Participant));
        Assert.Null(Hub.RoomCalls.CallOf(bob.Link.Identity.DeviceId));
        Assert.Null(await carol.RoomAsync(RoomOp.Leave, "team", []));
        Assert.NotNull(await alice.WaitAsync<RoomCallNotice>(FrameType.RoomCallNotice, n => n.Change == RoomCallChange.Left && n.Participant == carol.Participant));
        Assert.Null(Hub.RoomCalls.CallOf(carol.Link.Identity.DeviceId));

        alice.SendMedia(RoomCallHop.AudioStream, 1, Body("after", 100));
        Assert.Empty(await bob.DrainAsync(Quiet));
        Assert.Empty(await carol.DrainAsync(Quiet));
        Assert.Equal("you are not a member of #team: only its members join its call", await bob.JoinCallAsync("team"));
    }

    [Fact]
    public async Task Limits_RefuseTheNextVideoParticipant_AndTheNextParticipant_Plainly()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: false, "alice", "bob", "carol", "dave", "erin");
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await clients[i].JoinCallAsync("team"));
        }
        Assert.Equal("the call in #team has 3 participants with video, the most this hub takes: join with audio only", await clients[3].JoinCallAsync("team"));
        Assert.Null(await clients[3].JoinCallAsync("team", RoomCallMedia.Audio));
        Assert.Equal("the call in #team has 4 participants, the most this hub takes", await clients[4].JoinCallAsync("team", RoomCallMedia.Audio));
        Assert.Equal(4, Hub.RoomCalls.CallOf(clients[0].Link.Identity.DeviceId)!.Value.Call.Participants.Length);
    }

    [Fact]
    public async Task UnknownCallParticipantOrStream_AndForgedSenders_AreDroppedCounted_AndReachNobody()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob", "carol");
        var (alice, bob, carol) = (clients[0], clients[1], clients[2]);
        await using var stranger = await RoomCallClient.ConnectAsync(Hub.Port, "stranger", IPAddress.Parse("127.0.0.66"));
        Assert.Null(await carol.JoinCallAsync("team", RoomCallMedia.Audio)); // carol rejoins with audio only
        await BindAsync(Hub, carol);
        await DrainAllAsync(clients.All);
        var body = Body("attack");
        using var guessedKey = new RoomCallHopKey(new byte[RoomCallHop.KeySize]);
        (RoomCallClient From, byte[] Packet, RoomCallDrop Why)[] attacks =
        [
            (alice, alice.Packet(RoomCallHopKind.Media, 1, 1, body, callId: alice.CallId + 1), RoomCallDrop.UnknownCall),
            (alice, alice.Packet(RoomCallHopKind.Media, 1, 2, body, hop: 999), RoomCallDrop.UnknownParticipant),
            (alice, alice.Packet(RoomCallHopKind.Media, 7, 3, body), RoomCallDrop.UnknownStream),
            (carol, carol.Packet(RoomCallHopKind.Media, RoomCallHop.VideoStream, 4, body), RoomCallDrop.UnknownStream), // audio-only carol sends video
            (bob, bob.Packet(RoomCallHopKind.Media, 1, 5, body, hop: alice.Participant), RoomCallDrop.BadTag), // bob as alice, with his key
            (bob, bob.Packet(RoomCallHopKind.Media, 1, 6, body, source: alice.Participant), RoomCallDrop.UnknownStream), // bob's hop, alice's stream
            (stranger, stranger.Packet(RoomCallHopKind.Media, 1, 7, body, hop: alice.Participant, key: guessedKey, callId: alice.CallId), RoomCallDrop.BadTag),
            (stranger, [1, 2, 3], RoomCallDrop.Malformed),
        ];
        foreach (var (from, packet, why) in attacks)
        {
            var before = Hub.RoomCalls.Dropped(why);
            from.SendUdp(packet);
            await Wait.UntilAsync(() => Hub.RoomCalls.Dropped(why) == before + 1, $"a {why} drop counted");
        }
        // Only a packet its hop key authenticates moves a participant's UDP path: the stranger's forgeries did not.
        Assert.Equal(alice.Udp.LocalEndPoint, Hub.RoomCalls.CallOf(alice.Link.Identity.DeviceId)!.Value.Participant.Udp!.EndPoint);
        var replayed = alice.Packet(RoomCallHopKind.Media, 1, 8, body);
        alice.SendUdp(replayed);
        alice.SendUdp(replayed);
        await Wait.UntilAsync(() => Hub.RoomCalls.Dropped(RoomCallDrop.Replayed) == 1, "the replay dropped");

        var atBob = await bob.DrainAsync(Quiet, TimeSpan.FromSeconds(5));
        Assert.Equal([8], atBob.Select(p => (int)p.Header.Sequence)); // only alice's genuine packet, once
        Assert.Equal([8], (await carol.DrainAsync(Quiet, TimeSpan.FromSeconds(5))).Select(p => (int)p.Header.Sequence));
        Assert.Empty(await alice.DrainAsync(Quiet));
        Assert.Empty(await stranger.DrainAsync(Quiet));
    }

    [Fact]
    public async Task Flooder_IsCutOff_WhileTheOthersMediaKeepsFlowing()
    {
        await using var clients = await StartAsync(Hub, "team", inCall: true, "alice", "bob", "mallory");
        var (alice, bob, mallory) = (clients[0], clients[1], clients[2]);
        await DrainAllAsync(clients.All);
        var flood = Body("flood", 1200);
        var sequence = (ushort)0;
        using var sending = new CancellationTokenSource();
        var aliceSent = 0;
        var steady = Task.Run(async () =>
        {
            while (!sending.IsCancellationRequested)
            {
                alice.SendMedia(RoomCallHop.AudioStream, (ushort)aliceSent++, Body("alice", 160));
                await Task.Delay(20);
            }
        });
        var atBob = new HashSet<int>();
        var collecting = Task.Run(async () =>
        {
            // bob reads all the time, so his own socket's buffer never drops what the hub sent him
            while (await bob.ReceiveAsync(TimeSpan.FromSeconds(2)) is { } got)
            {
                if (IsMedia(got, alice.Participant))
                {
                    lock (atBob)
                    {
                        atBob.Add(got.Header.Sequence);
                    }
                }
            }
        });
        var floodEnds = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < floodEnds && Hub.RoomCalls.CallOf(mallory.Link.Identity.DeviceId) is not null)
        {
            for (var i = 0; i < 100; i++)
            {
                mallory.SendMedia(RoomCallHop.VideoStream, sequence++, flood);
            }
            await Task.Yield();
        }
        Assert.Null(Hub.RoomCalls.CallOf(mallory.Link.Identity.DeviceId));
        var cut = await mallory.WaitAsync<RoomCallNotice>(FrameType.RoomCallNotice, n => n.Change == RoomCallChange.CutOff);
        Assert.Equal(mallory.Participant, cut?.Participant);
        Assert.NotNull(await alice.WaitAsync<RoomCallNotice>(FrameType.RoomCallNotice, n => n.Change == RoomCallChange.CutOff && n.Participant == mallory.Participant));
        Assert.True(Hub.RoomCalls.Dropped(RoomCallDrop.OverBudget) > 0);

        // alice's voice still reaches bob, every packet of the last second.
        var mark = aliceSent;
        await Task.Delay(1000);
        await sending.CancelAsync();
        await steady;
        await collecting;
        Assert.All(Enumerable.Range(mark, aliceSent - mark), s => Assert.Contains(s, atBob));
        // mallory gets nothing more once cut off
        await mallory.DrainAsync(TimeSpan.FromMilliseconds(200));
        alice.SendMedia(RoomCallHop.AudioStream, 60000, Body("after", 100));
        Assert.Empty(await mallory.DrainAsync(Quiet));
    }

    private static async Task DrainAllAsync(IEnumerable<RoomCallClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DrainAsync(TimeSpan.FromMilliseconds(100));
        }
    }
}
