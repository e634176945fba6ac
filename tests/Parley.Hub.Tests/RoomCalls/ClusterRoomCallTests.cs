using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.RoomCalls;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// One room's call across two hubs of a cluster (a real nats-server, two hubs in this process sharing one
/// identity file, real nodes): alice on hub 1, bob and carol on hub 2. Each opens the others' frames and never
/// its own, whichever hub they are on; keyframe requests and NACKs reach a sender on the other hub; a leave on one hub is seen on the other; what a stranger sends the
/// hub-to-hub port is dropped and counted; entries and keys written into NATS by someone without the cluster's identity are dropped
/// and counted, and even a sealed entry lets no non-member in; a device listed by a dead hub it failed over from is never seen twice;
/// a member removed from the room on another hub is out of its own hub's call.
/// </summary>
public sealed class ClusterRoomCallTests : IAsyncLifetime
{
    private static readonly byte[] Marker = "PARLEY-CLUSTER-CALL"u8.ToArray();
    private readonly string _root = Directory.CreateTempSubdirectory("parley-cluster-call-").FullName;
    private NatsServers _nats = null!;
    private HubServer _hub1 = null!;
    private HubServer _hub2 = null!;

    public async Task InitializeAsync()
    {
        _nats = await NatsServers.StartAsync(count: 1);
        _hub1 = await StartHubAsync("hub1");
        _hub2 = await StartHubAsync("hub2");
    }

    private Task<HubServer> StartHubAsync(string name) => HubServer.StartAsync(new HubOptions
    {
        Home = Path.Combine(_root, name),
        Port = 0,
        BindAddress = IPAddress.Loopback,
        Cluster = new HubClusterOptions { Servers = [.. _nats.Urls.Split(',')], IdentityFile = Path.Combine(_root, "cluster.pem") },
    }, NullLoggerFactory.Instance);

    private static async Task<TestNode> OnAsync(HubServer hub, string name)
    {
        var node = await TestNode.StartAsync(name);
        await node.Node.Hub.JoinAsync(new Invite(hub.DeviceId, "hub", [new IPEndPoint(IPAddress.Loopback, hub.Port)]).ToString());
        await Wait.UntilAsync(() => node.Node.Hub.Connected && hub.Online.Contains(node.Id), name + " on its hub");
        return node;
    }

    [Fact]
    public async Task MembersOnTwoHubs_OpenEachOthersFrames_NeverTheirOwn_ALeaveIsSeenAcross_AndStrangersAreDropped()
    {
        await using var alice = await OnAsync(_hub1, "alice");
        await using var bob = await OnAsync(_hub2, "bob");
        await using var carol = await OnAsync(_hub2, "carol");
        await alice.Node.Rooms.CreateAsync("team");
        foreach (var member in new[] { bob, carol })
        {
            await alice.Node.Get<Parley.Node.Rooms.RoomOwnership>().InviteAsync("team", member.Id.ToString());
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    await member.Node.Rooms.JoinAsync("team");
                    return true;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    return false; // the invite is on its way through the cluster's room stream
                }
            }, member.Node.DeviceId.Short + " in #team");
        }

        var nodes = new[] { alice, bob, carol };
        var calls = nodes.ToDictionary(n => n.Id, n => n.Node.Get<RoomCallMember>());
        foreach (var node in nodes)
        {
            await calls[node.Id].JoinAsync("team", RoomCallMedia.Audio | RoomCallMedia.Video);
        }
        await Wait.UntilAsync(() => calls.Values.All(c => c.Others().Count == 2), "each node sees the two others, on its hub and the other");
        Assert.Equal(2, _hub1.RoomCalls.CallOf(alice.Id)!.Value.Call.Remotes.Length);
        Assert.Single(_hub2.RoomCalls.CallOf(bob.Id)!.Value.Call.Remotes);

        // Each sends frames with the marker until both others have opened one of its frames.
        var aliceVideo = await RoomCallParties.OpenEachOthersAsync(nodes, calls, [.. Marker, .. new byte[500]]);

        // bob's keyframe request for alice crosses to hub 1 and reaches her.
        var asked = calls[alice.Id].KeyframeRequests;
        Assert.True(calls[bob.Id].RequestKeyframe(alice.Id));
        await Wait.UntilAsync(() => calls[alice.Id].KeyframeRequests > asked, "bob's keyframe request at alice, on the other hub");

        // bob's NACK for a packet of alice's both hubs' histories have lost (older than their 256) goes hub 2 → hub 1 → alice,
        // who sends it again from her own 512.
        for (var i = 0; i < RoomCallHistory.HubDepth + 44; i++)
        {
            calls[alice.Id].SendMedia(RoomCallHop.VideoStream, new byte[100], keyframe: false);
            if (i % 25 == 24)
            {
                await Task.Delay(5); // paced as a sender is
            }
        }
        var lacked = (ushort)(aliceVideo + RoomCallHistory.HubDepth + 44 - 1 - RoomCallHistory.HubDepth - 30);
        var nackedAt = DateTime.MinValue;
        await Wait.UntilAsync(() =>
        {
            if (DateTime.UtcNow - nackedAt > TimeSpan.FromMilliseconds(500))
            {
                calls[bob.Id].SendNack(alice.Id, [lacked]); // again now and then: a datagram behind a burst may be lost
                nackedAt = DateTime.UtcNow;
            }
            return calls[alice.Id].Resent >= 1;
        }, "alice resending what neither hub still had");

        // carol leaves on hub 2: alice, on hub 1, is told, rekeys, and bob still opens her frames.
        var aliceKey = calls[alice.Id].KeyId;
        calls[carol.Id].Leave();
        await Wait.UntilAsync(() => calls[alice.Id].Others().Count == 1 && calls[bob.Id].Others().Count == 1, "carol gone from both hubs' calls");
        Assert.Equal([bob.Id], calls[alice.Id].Others());
        Assert.NotEqual(aliceKey, calls[alice.Id].KeyId);
        await RoomCallParties.OpensAsync(calls[alice.Id], alice.Id, calls[bob.Id], Marker);

        // A stranger at hub 1's hub-to-hub port: a made-up hub, then hub 2's own instance without the cluster's key. Neither reaches anyone.
        var port = _hub1.ClusterCalls!.Port;
        var hub2 = _hub2.ClusterCalls!.Instance;
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var unknownBefore = _hub1.RoomCalls.Dropped(RoomCallDrop.UnknownHub);
        var replayedBefore = _hub1.RoomCalls.Dropped(RoomCallDrop.Replayed);
        var forgedBefore = _hub1.RoomCalls.Dropped(RoomCallDrop.BadTag);
        var forged = new byte[RoomCallBridgePacket.MinSize + 200];
        Random.Shared.NextBytes(forged);
        forged[0] = RoomCallBridgePacket.Marker;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(forged.AsSpan(13), 1);
        var madeUp = forged.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(forged.AsSpan(1), hub2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(forged.AsSpan(9), _hub1.RoomCalls.CallOf(alice.Id)!.Value.Call.Id);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(madeUp.AsSpan(1), hub2 ^ 0x5a5a);
        await Wait.UntilAsync(() =>
        {
            stranger.SendTo(madeUp, new IPEndPoint(IPAddress.Loopback, port));
            stranger.SendTo(forged, new IPEndPoint(IPAddress.Loopback, port));
            return _hub1.RoomCalls.Dropped(RoomCallDrop.UnknownHub) > unknownBefore && _hub1.RoomCalls.Dropped(RoomCallDrop.BadTag) > forgedBefore;
        }, "the stranger's packets dropped and counted");
        Assert.Equal(replayedBefore, _hub1.RoomCalls.Dropped(RoomCallDrop.Replayed)); // neither got as far as the replay window

        // Someone with access to NATS but not the cluster's identity writes entries for #team: junk, then a well-formed one
        // listing bob and a device that is no member, and a frame key for alice. Without the cluster's seal hub 1 reads none of them.
        await using var nats = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = _nats.Urls });
        var bucket = await new NATS.Client.KeyValueStore.NatsKVContext(new NATS.Client.JetStream.NatsJSContext(nats)).GetStoreAsync("parley-room-calls");
        const string ForgedKey = "00000000000abcde.team";
        var nonMember = new DeviceId(System.Security.Cryptography.RandomNumberGenerator.GetBytes(DeviceId.Size));
        var entry = new ClusterRoomCall(0xabcde, "team", 5, [new IPEndPoint(IPAddress.Loopback, 9)],
            [new(1, bob.Id, RoomCallMedia.Audio), new(2, nonMember, RoomCallMedia.Audio)]).ToArray();
        var unsealedBefore = _hub1.ClusterCalls!.Unsealed;
        await bucket.PutAsync(ForgedKey, new byte[] { 1, 2, 3 });
        await bucket.PutAsync(ForgedKey, entry);
        await nats.PublishAsync($"parley.roomcall.{_hub1.ClusterCalls.Instance:x16}",
            new ClusterRoomCallKey(0xabcde, 5, _hub1.RoomCalls.CallOf(alice.Id)!.Value.Call.Id, 1, 1, new byte[64]).ToArray());
        await Wait.UntilAsync(() => _hub1.ClusterCalls.Unsealed >= unsealedBefore + 3, "the three unsealed writes dropped and counted");
        Assert.DoesNotContain(_hub1.RoomCalls.CallOf(alice.Id)!.Value.Call.Remotes, r => r.Hub.Instance == 0xabcde);

        // The same kind of entry sealed as a hub of the cluster seals it (the cluster's own identity file), as if carol (out of the call
        // since her leave) had been in it on a third hub that then died: hub 1 takes of it only the room's member, carol.
        var seal = new ClusterEntrySeal(HubServer.ClusterSecret(NodeIdentity.LoadOrCreateFile(Path.Combine(_root, "cluster.pem"))));
        var stale = new ClusterRoomCall(0xabcde, "team", 5, [new IPEndPoint(IPAddress.Loopback, 9)],
            [new(1, carol.Id, RoomCallMedia.Audio), new(2, nonMember, RoomCallMedia.Audio)]).ToArray();
        await bucket.PutAsync(ForgedKey, seal.Seal(ForgedKey, stale));
        await Wait.UntilAsync(() => _hub1.RoomCalls.CallOf(alice.Id)!.Value.Call.Remotes.Any(r => r.Hub.Instance == 0xabcde), "the sealed entry read");
        Assert.Equal([carol.Id], _hub1.RoomCalls.CallOf(alice.Id)!.Value.Call.Remotes.Where(r => r.Hub.Instance == 0xabcde).Select(r => r.Device));
        await Wait.UntilAsync(() => calls[alice.Id].Others().Count == 2 && calls[bob.Id].Others().Count == 2, "carol on the dead hub, seen by alice and bob");

        // carol, failed over to hub 2, joins there: hub 2 has her linked and drops the dead hub's listing of her; hub 1 has her
        // listed by two hubs and keeps the later entry's. Nobody sees her twice, and reading the dead hub's entry again changes nothing.
        Assert.Contains(_hub2.RoomCalls.CallOf(bob.Id)!.Value.Call.Remotes, r => r.Device == carol.Id && r.Hub.Instance == 0xabcde); // still there to displace
        await calls[carol.Id].JoinAsync("team", RoomCallMedia.Audio | RoomCallMedia.Video);
        bool SeenOnceFromHub2() =>
            _hub1.RoomCalls.CallOf(alice.Id)!.Value.Call.Remotes.Where(r => r.Device == carol.Id).Select(r => r.Hub.Instance).SequenceEqual([hub2])
            && !_hub2.RoomCalls.CallOf(bob.Id)!.Value.Call.Remotes.Any(r => r.Device == carol.Id);
        await Wait.UntilAsync(SeenOnceFromHub2, "carol listed once, on hub 2, at both hubs");
        await Wait.UntilAsync(() => calls.Values.All(c => c.Others().Count == 2), "each node sees the two others once");
        _hub1.ClusterCalls.Recheck("team");
        _hub2.ClusterCalls!.Recheck("team");
        await Task.Delay(500); // what a reread could have told the nodes reaches them
        Assert.True(SeenOnceFromHub2(), "the dead hub's entry read again brought carol back twice");
        Assert.All(calls.Values, c => Assert.Equal(2, c.Others().Count));

        await bucket.DeleteAsync(ForgedKey);
        await Task.Delay(500);
        Assert.True(SeenOnceFromHub2(), "the dead hub's entry deleted took carol out");

        // alice, the owner, on hub 1, removes carol, on hub 2, from #team: hub 2 reads the removal from the cluster and takes
        // her out of its call of the room, so she hears nothing more and the others rekey without her.
        await alice.Node.Get<Parley.Node.Rooms.RoomOwnership>().RemoveAsync("team", carol.Id.ToString());
        await Wait.UntilAsync(() => _hub2.RoomCalls.CallOf(carol.Id) is null, "carol out of hub 2's call once removed through hub 1");
        await Wait.UntilAsync(() => calls[alice.Id].Others().SequenceEqual([bob.Id]) && calls[bob.Id].Others().SequenceEqual([alice.Id]), "carol gone for alice and bob");
    }

    public async Task DisposeAsync()
    {
        await _hub2.DisposeAsync();
        await _hub1.DisposeAsync();
        await _nats.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
