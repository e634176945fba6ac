using System.Net;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.RoomCalls;
using Parley.Node.Rooms;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// Real nodes in a room's call through the hub: each opens the frames of the others with the keys they
/// sealed to it and never gets its own; what the hub forwards carries no plaintext (a member of the
/// room who holds no frame key — as the hub holds none — sees only ciphertext); a leave gives everyone
/// a new key and the call goes on.
/// </summary>
public sealed class RoomCallNodeTests : HubTestBase
{
    private static readonly byte[] Marker = "PARLEY-PLAINTEXT-MARKER"u8.ToArray();

    [Fact]
    public async Task ThreeNodes_OpenEachOthersFrames_NeverTheirOwn_TheHubCarriesNoPlaintext_AndALeaveRekeys()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await using var carol = await OnHubAsync("carol");
        await TeamOfAsync(alice, bob, carol);
        await using var curious = await RoomCallClient.ConnectAsync(Hub.Port, "curious", IPAddress.Parse("127.0.0.40"));
        var link = RoomInvite.Create(alice.Node.Get<NodeIdentity>(), "team", null, DateTimeOffset.UtcNow.AddHours(1)).ToArray();
        Assert.Null(await curious.RoomAsync(RoomOp.Join, "team", link));
        Assert.Null(await curious.JoinCallAsync("team"));
        await RoomCallParties.BindAsync(Hub, curious);

        var nodes = new[] { alice, bob, carol };
        var calls = nodes.ToDictionary(n => n.Id, n => n.Node.Get<RoomCallMember>());
        foreach (var node in nodes)
        {
            await calls[node.Id].JoinAsync("team", RoomCallMedia.Audio | RoomCallMedia.Video);
        }
        await Wait.UntilAsync(() => calls.Values.All(c => c.Others().Count == 3), "each node sees the three others");

        // Each sends a frame with the marker until both other nodes have opened one of its frames.
        var opened = nodes.ToDictionary(n => n.Id, _ => new HashSet<DeviceId>());
        var aliceVideoSent = 0;
        await Wait.UntilAsync(() =>
        {
            foreach (var node in nodes)
            {
                calls[node.Id].SendMedia(RoomCallHop.VideoStream, [.. Marker, .. new byte[500]], keyframe: true);
                aliceVideoSent += node == alice ? 1 : 0;
                while (calls[node.Id].Received.TryRead(out var part))
                {
                    Assert.NotEqual(node.Id, part.From); // never its own
                    Assert.Equal([.. Marker, .. new byte[500]], part.Media);
                    opened[node.Id].Add(part.From);
                }
            }
            return opened.Values.All(from => from.Count == 2);
        }, "every node opened both others' frames");

        // What the hub forwarded to a member without a frame key: packets from all three, never the marker.
        var seen = await curious.DrainAsync(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        Assert.Equal(3, seen.Where(p => p.Header.Kind == RoomCallHopKind.Media).Select(p => p.Header.Source).Distinct().Count());
        Assert.All(seen, p => Assert.Equal(-1, p.Packet.AsSpan().IndexOf(Marker)));

        // A NACK for alice's video the hub no longer holds reaches alice, who sends it again from her own history;
        // a keyframe request from bob reaches her too.
        while (calls[bob.Id].Received.TryRead(out _))
        {
        }
        var aliceThere = await ParticipantOfAsync(curious, alice.Id);
        for (var i = 0; i < RoomCallHistory.HubDepth + 44; i++)
        {
            calls[alice.Id].SendMedia(RoomCallHop.VideoStream, [.. new byte[100]], keyframe: false);
            if (i % 25 == 24)
            {
                await Task.Delay(5); // paced as a sender is: all at once, they would overflow the sockets' buffers on a busy machine
            }
        }
        // alice's newest sequence from what she sent (the hub got it all; curious's own socket may have dropped part of the burst).
        await curious.DrainAsync(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        var newest = (ushort)(aliceVideoSent + RoomCallHistory.HubDepth + 44 - 1);
        var lacked = (ushort)(newest - RoomCallHistory.HubDepth - 30); // gone from the hub's history, still in alice's
        // Asked again every half second: the NACK is a datagram, and the burst before it may still fill the hub's socket.
        var nackedAt = DateTime.MinValue;
        await Wait.UntilAsync(() =>
        {
            if (DateTime.UtcNow - nackedAt > TimeSpan.FromMilliseconds(500))
            {
                curious.SendNack(aliceThere, lacked);
                nackedAt = DateTime.UtcNow;
            }
            return calls[alice.Id].Resent >= 1;
        }, "alice resending what the hub lacked");
        Assert.Contains(await curious.DrainAsync(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5)), p => p.Header.Sequence == lacked && p.Header.Kind == RoomCallHopKind.Media);
        Assert.True(calls[bob.Id].RequestKeyframe(alice.Id));
        await Wait.UntilAsync(() => calls[alice.Id].KeyframeRequests == 1, "bob's keyframe request at alice");

        // carol leaves: the others are told, take new keys, and still open each other's frames.
        var aliceKey = calls[alice.Id].KeyId;
        calls[carol.Id].Leave();
        await Wait.UntilAsync(() => calls[alice.Id].Others().Count == 2 && calls[bob.Id].Others().Count == 2, "carol gone from the others' calls");
        Assert.NotEqual(aliceKey, calls[alice.Id].KeyId);
        await RoomCallParties.OpensAsync(calls[alice.Id], alice.Id, calls[bob.Id], Marker);
        Assert.Null(calls[carol.Id].Room);
    }

    /// <summary>The participant ID the hub gave <paramref name="device"/>, from the join notices <paramref name="client"/> was sent.</summary>
    private static async Task<ushort> ParticipantOfAsync(RoomCallClient client, DeviceId device) =>
        (await client.WaitAsync<RoomCallNotice>(FrameType.RoomCallNotice, n => n.Device == device && n.Change == RoomCallChange.Joined))?.Participant
            ?? throw new TimeoutException("no join notice for that device");
}
