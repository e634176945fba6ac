using System.Net;
using System.Security.Cryptography;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Hub.RoomCalls;

/// <summary>What hubs of a cluster exchange for a room's call: the entries they share in NATS, and the packets between them.</summary>
public sealed class RoomCallBridgeTests
{
    private static readonly DeviceId Someone = new(RandomNumberGenerator.GetBytes(DeviceId.Size));

    [Fact]
    public void Entry_RoundTrips_AndJunkIsRefused()
    {
        var entry = new ClusterRoomCall(0x0123456789abcdef, "team", 7, [IPEndPoint.Parse("10.0.0.1:4000")],
            [new ClusterRoomCallParticipant(1, Someone, RoomCallMedia.Audio | RoomCallMedia.Video)]);
        Assert.True(WireMessage.TryRead<ClusterRoomCall>(entry.ToArray(), out var read, out _));
        Assert.Equal(entry.Instance, read.Instance);
        Assert.Equal(entry.Participants, read.Participants);
        Assert.Equal(entry.Endpoints, read.Endpoints);

        var bytes = entry.ToArray();
        foreach (var cut in new[] { 1, 8, 13, bytes.Length - 1 })
        {
            Assert.False(WireMessage.TryRead<ClusterRoomCall>(bytes.AsMemory(0, cut), out _, out _));
        }
        Assert.False(WireMessage.TryRead<ClusterRoomCall>((byte[])[.. bytes, 0], out _, out _));
        Assert.False(WireMessage.TryRead<ClusterRoomCall>((entry with { Participants = [] }).ToArray(), out _, out _));
        Assert.False(WireMessage.TryRead<ClusterRoomCall>((entry with { Participants = [new(0, Someone, RoomCallMedia.Audio)] }).ToArray(), out _, out _));
    }

    [Fact]
    public void BridgePacket_OpensUnderItsPairsKeyOnly_AndAnyChangeFailsIt()
    {
        var secret = RoomCallBridgePacket.DeriveSecret(RandomNumberGenerator.GetBytes(32));
        using var aToB = new AesGcm(RoomCallBridgePacket.DeriveKey(secret, 1, 2), RoomCallBridgePacket.TagSize);
        using var bToA = new AesGcm(RoomCallBridgePacket.DeriveKey(secret, 2, 1), RoomCallBridgePacket.TagSize);
        var hop = new byte[RoomCallHop.HeaderSize + 100 + RoomCallHop.TagSize];
        RoomCallHop.WriteHeader(hop, new RoomCallHopHeader(RoomCallHopKind.Media, RoomCallHopFlags.None, 9, 3, 3, RoomCallHop.AudioStream, 127, 5, 1));
        var packet = new byte[RoomCallBridgePacket.MaxSize];
        var length = RoomCallBridgePacket.Seal(aToB, 1, 42, 1, hop, packet);
        Assert.True(RoomCallBridgePacket.TryReadHeader(packet.AsSpan(0, length), out var from, out var toCall, out var counter));
        Assert.Equal((1UL, 42U, 1UL), (from, toCall, counter));

        var opened = new byte[RoomCallBridgePacket.MaxSize];
        Assert.Equal(hop.Length, RoomCallBridgePacket.TryOpen(aToB, packet.AsSpan(0, length), opened));
        Assert.Equal(hop, opened[..hop.Length]);
        Assert.Equal(0, RoomCallBridgePacket.TryOpen(bToA, packet.AsSpan(0, length), opened)); // the other direction's key
        packet[9] ^= 1; // another call named in the clear header
        Assert.Equal(0, RoomCallBridgePacket.TryOpen(aToB, packet.AsSpan(0, length), opened));
    }
}
