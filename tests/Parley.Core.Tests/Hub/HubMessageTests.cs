using System.Text;
using Parley.Core.Hub;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Presence;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Hub;

/// <summary>The hub's messages keep the bytes of protocol version 1 (docs/protocol.md), and each reads back what it wrote.</summary>
public class HubMessageTests
{
    private static readonly DeviceId Alice = new(Enumerable.Repeat((byte)0xA1, DeviceId.Size).ToArray());
    private static readonly DeviceId Bob = new(Enumerable.Repeat((byte)0xB0, DeviceId.Size).ToArray());

    private static T RoundTrip<T>(T message) where T : IWireMessage<T>
    {
        Assert.True(WireMessage.TryRead<T>(message.ToArray(), out var read, out var error), error);
        return read;
    }

    [Fact]
    public void Presence_HasTheVersion1Layout()
    {
        var notice = new PresenceNotice(PresenceKind.Joined, Alice, DateTimeOffset.FromUnixTimeMilliseconds(0x0102), "al", "1.2.3.4:5");
        byte[] expected = [1, .. Alice.Bytes, 0, 0, 0, 0, 0, 0, 1, 2, 2, .. "al"u8, 9, .. "1.2.3.4:5"u8];
        Assert.Equal(expected, notice.ToArray());
        Assert.Equal(notice, RoundTrip(notice));
    }

    [Fact]
    public void RelayAndMailbox_HaveTheVersion1Layouts()
    {
        Assert.Equal([.. Bob.Bytes, 0, 0, 0, 7], new RelayRequest(Bob, 7).ToArray());
        Assert.Equal([0, 0, 0, 7, .. "busy"u8], new RelayRefused(7, "busy").ToArray());
        var token = Enumerable.Range(0, RelayTicket.TokenSize).Select(i => (byte)i).ToArray();
        Assert.Equal([0, 0, 0, 7, 1, .. Bob.Bytes, .. token], new RelayTicket(7, true, Bob, token).ToArray());
        Assert.Equal([0, 0, 0, 9, .. Bob.Bytes, 0xEE], new MailboxPut(9, Bob, [0xEE]).ToArray());
        Assert.Equal([0, 0, 0, 9, 0, .. "full"u8], new MailboxResult(9, false, "full").ToArray());
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 3, 0xEE], new MailboxItem(3, [0xEE]).ToArray());
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 3], new MailboxAck(3).ToArray());
        Assert.Equal(new MailboxAck(3), RoundTrip(new MailboxAck(3)));
        Assert.Equal(token, RoundTrip(new RelayTicket(7, true, Bob, token)).Token);
    }

    [Fact]
    public void RoomFrames_HaveTheirLayouts()
    {
        Assert.Equal([0, 0, 0, 5, 2, 4, .. "team"u8, 0, 0], new RoomCommand(5, RoomOp.Join, "team").ToArray());
        Assert.Equal([0, 0, 0, 5, 7, 4, .. "team"u8, 0, 32, .. Bob.Bytes], RoomCommand.Of(5, RoomOp.Remove, "team", Bob.Bytes.ToArray()).ToArray());
        Assert.Equal([1, 4, .. "team"u8, .. Alice.Bytes, 5, .. "alice"u8, .. Alice.Bytes, 5, .. "alice"u8, 0, 1, 0xEE],
            new RoomNotice(RoomNoticeKind.Joined, "team", Alice, "alice") { By = Alice, ByName = "alice", Proof = [0xEE] }.ToArray());
        Assert.Equal([4, .. "team"u8, .. Alice.Bytes, .. Bob.Bytes, 0, 0, 0, 7, 0, 2, 0xAA, 0xBB], new RoomKey("team", Alice, Bob, 7, [0xAA, 0xBB]).ToArray());
        Assert.Equal([0, 0, 0, 9, 4, .. "team"u8, .. Alice.Bytes, 0xCC], new RoomMessage(9, "team", Alice, [0xCC]).ToArray());
        var list = new RoomListReply(5, null, [new RoomListing("a", false, "", 0), new RoomListing("team", true, "hi", 3)]);
        Assert.Equal([0, 0, 0, 5, 1, 0, 0, 2, 1, .. "a"u8, 0, 0, 0, 0, 0, 4, .. "team"u8, 1, 0, 3, 0, 2, .. "hi"u8], list.ToArray());
        var members = new RoomMembersReply(5, null, [new RoomMember(Alice, "alice", true) { Proof = [0xDD] }]) { Policy = [0xFF] };
        Assert.Equal([0, 0, 0, 5, 1, 0, 0, 1, .. Alice.Bytes, 1, 5, .. "alice"u8, 0, 1, 0xDD, 0, 1, 0xFF], members.ToArray());
        var entry = new RoomEntry("team", 3, DateTimeOffset.FromUnixTimeMilliseconds(5), RoomEntryKind.Message, Alice, [0xCC]);
        Assert.Equal([4, .. "team"u8, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 1, .. Alice.Bytes, 0, 0, 0, 1, 0xCC], entry.ToArray());
        Assert.Equal(entry.Body, RoundTrip(entry).Body);
        Assert.Equal(new RoomPosted(9, 3, null), RoundTrip(new RoomPosted(9, 3, null)));
        Assert.Equal("full", RoundTrip(new RoomPosted(9, 0, "full")).Error);
        Assert.Equal(new RoomPosition("team", 12), RoundTrip(new RoomPosition("team", 12)));
        Assert.Equal(new RoomSyncState("team", 1, 2, 3), RoundTrip(new RoomSyncState("team", 1, 2, 3)));
        Assert.Equal(new RoomKeyRef("team", Alice, Bob, 7, 40), RoundTrip(new RoomKeyRef("team", Alice, Bob, 7, 40)));
        Assert.Equal([new RoomReceipt(Bob, 2, 9)], RoundTrip(new RoomReceipts("team", [new RoomReceipt(Bob, 2, 9)])).Receipts);
        var refused = new RoomMembersReply(6, "no such room", []);
        Assert.Equal([0, 0, 0, 6, 0, 12, .. "no such room"u8, 0, 0, 0, 0], refused.ToArray());
        Assert.Equal(list.Rooms, RoundTrip(list).Rooms);
        var read = RoundTrip(members);
        Assert.Equal((Alice, "alice", true), (read.Members[0].DeviceId, read.Members[0].Name, read.Members[0].Online));
        Assert.Equal([0xDD], read.Members[0].Proof);
        Assert.Equal([0xFF], read.Policy);
        Assert.Equal("no such room", RoundTrip(refused).Error);
        Assert.True(RoomReply.TryReadCommandId(new(members.ToArray()), out var id));
        Assert.Equal(5u, id);
    }

    [Fact]
    public void Whois_RoundTrips_AndCutsAtSixteenEntries()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        using var agreement = AgreementKey.CreateEphemeral();
        var entry = DirectoryEntry.Create(identity, "alice", agreement.PublicKey, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var seen = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_001);
        var result = new WhoisResult(4, [.. Enumerable.Repeat(new WhoisEntry(true, seen, entry), 20)]);
        var read = RoundTrip(result);
        Assert.Equal(WhoisResult.MaxEntries, read.Entries.Count);
        Assert.True(read.Entries[0].Entry.Verify());
        Assert.Equal(seen, read.Entries[0].LastSeen);
        Assert.Equal(new WhoisQuery(4, "alice"), RoundTrip(new WhoisQuery(4, "alice")));
        Assert.False(WireMessage.TryRead<WhoisQuery>(new byte[] { 0, 0, 0, 4 }, out _, out _)); // a query needs text
    }

    [Fact]
    public void RoomMessage_SealedWithASenderKey_OpensOnlyWithThatKeyAndRoom()
    {
        using var alice = NodeIdentity.CreateEphemeral();
        var key = SenderKey.CreateRandom();
        var item = RoundTrip(SenderKeyItem.Of("team", key));
        Assert.Equal(key.KeyId, item.KeyId);
        Assert.Equal(key.FirstLink, item.Link);
        var held = new HeldSenderKey(item.Start, item.Link);
        var identityKey = alice.Certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var sealedMessage = RoomCrypto.SealMessage(alice, "team", key, "hello team"u8);
        Assert.True(RoomCrypto.TryReadKeyId(sealedMessage, out var keyId, out var counter));
        Assert.Equal((key.KeyId, 1UL), (keyId, counter));
        Assert.True(RoomCrypto.TryOpenMessage(sealedMessage, "team", alice.DeviceId, identityKey, held, out var plaintext));
        Assert.Equal("hello team", Encoding.UTF8.GetString(plaintext));
        Assert.False(RoomCrypto.TryOpenMessage(sealedMessage, "other", alice.DeviceId, identityKey, held, out _));
        var other = SenderKey.CreateRandom();
        Assert.False(RoomCrypto.TryOpenMessage(sealedMessage, "team", alice.DeviceId, identityKey, new HeldSenderKey(1, other.FirstLink), out _));
    }

    [Fact]
    public void KeyChain_HandedOnFromAMessage_OpensThatMessageAndLater_NeverEarlier()
    {
        using var alice = NodeIdentity.CreateEphemeral();
        var identityKey = alice.Certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var key = SenderKey.CreateRandom();
        var sealedMessages = Enumerable.Range(1, 5).Select(i => RoomCrypto.SealMessage(alice, "team", key, Encoding.UTF8.GetBytes($"m{i}"))).ToList();
        var fromThird = new HeldSenderKey(3, key.LinkAt(3));
        Assert.Equal([false, false, true, true, true],
            sealedMessages.Select(m => RoomCrypto.TryOpenMessage(m, "team", alice.DeviceId, identityKey, fromThird, out _)).ToList());
        // Out of order still opens (from the link it was handed, not only the furthest reached).
        Assert.True(RoomCrypto.TryOpenMessage(sealedMessages[2], "team", alice.DeviceId, identityKey, fromThird, out var third));
        Assert.Equal("m3", Encoding.UTF8.GetString(third));
    }

    [Fact]
    public void EveryHubFrame_IsDeclaredOnce_WithItsMessagesCap()
    {
        var table = new FrameTable(HubFrames.Specs);
        Assert.Equal(44, HubFrames.Specs.Count); // 24, the UDP relay's six, port mapping's ReachableAt, the attachment blob store's six, and room calls' seven
        Assert.Equal(RoomCallPacket.MaxSize, table.MaxPayloadFor((byte)FrameType.RoomCallPacket));
        Assert.Equal(ProtocolLimits.MaxPayload, table.MaxPayloadFor((byte)FrameType.RoomReply));
        Assert.Equal(MailboxPut.MaxSize, table.MaxPayloadFor((byte)FrameType.MailboxPut));
    }
}
