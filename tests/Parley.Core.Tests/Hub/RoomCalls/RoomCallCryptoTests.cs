using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Hub.RoomCalls;

/// <summary>
/// Room calls' keys: the hop tag proves which participant's key sealed a packet and in which direction;
/// frame bodies are end-to-end encrypted under the sender's frame key, which reaches another participant
/// only sealed to its agreement key (and opens for no other purpose); the messages keep their layouts.
/// </summary>
public sealed class RoomCallCryptoTests
{
    [Fact]
    public void HopTag_VerifiesOnlyWithTheSameKey_TheSameDirection_AndUnchangedBytes()
    {
        var secret = new byte[RoomCallHop.KeySize];
        Random.Shared.NextBytes(secret);
        using var key = new RoomCallHopKey(secret);
        using var other = new RoomCallHopKey(new byte[RoomCallHop.KeySize]);
        var packet = new byte[RoomCallHop.HeaderSize + 100 + RoomCallHop.TagSize];
        RoomCallHop.WriteHeader(packet, new RoomCallHopHeader(RoomCallHopKind.Media, RoomCallHopFlags.Keyframe, 7, 2, 2, 1, 30, 500, 9));
        key.Seal(packet, fromHub: false);

        Assert.True(key.Verify(packet, fromHub: false));
        Assert.False(key.Verify(packet, fromHub: true)); // a packet from the hub cannot be reflected back as one to it
        Assert.False(other.Verify(packet, fromHub: false));
        Assert.True(RoomCallHop.TryReadHeader(packet, out var header));
        Assert.Equal((RoomCallHopKind.Media, 7u, (ushort)2, (ushort)500, 9u), (header.Kind, header.CallId, header.Hop, header.Sequence, header.Counter));
        for (var i = 0; i < packet.Length; i += 17)
        {
            var changed = packet.ToArray();
            changed[i] ^= 1;
            Assert.False(key.Verify(changed, fromHub: false), $"byte {i} changed and the tag still verified");
        }
    }

    [Fact]
    public void FrameCipher_OpensOnlyUnderItsKey_AndEveryBodyDiffers()
    {
        var key = RoomCallFrameKey.Create(3);
        using var alice = new RoomCallFrameCipher(key);
        using var bob = new RoomCallFrameCipher(key);
        using var eve = new RoomCallFrameCipher(RoomCallFrameKey.Create(3));
        var media = "a known marker inside a video frame"u8.ToArray();
        var first = new byte[media.Length + RoomCallFrameCipher.Overhead];
        var second = new byte[first.Length];
        alice.Seal(media, first);
        alice.Seal(media, second);

        Assert.NotEqual(first, second); // a fresh counter each time
        Assert.Equal(-1, first.AsSpan().IndexOf("known marker"u8));
        var opened = new byte[media.Length];
        Assert.True(bob.TryOpen(first, opened, out var length));
        Assert.Equal(media, opened[..length]);
        Assert.False(eve.TryOpen(first, opened, out _));
        first[^1] ^= 1;
        Assert.False(bob.TryOpen(first, opened, out _));
    }

    [Fact]
    public void FrameKey_SealedToAParticipantsAgreementKey_OpensOnlyForItAndOnlyAsARoomCallKey()
    {
        using var alice = NodeIdentity.CreateEphemeral();
        using var bob = NodeIdentity.CreateEphemeral();
        using var bobAgreement = AgreementKey.CreateEphemeral();
        using var eveAgreement = AgreementKey.CreateEphemeral();
        var key = RoomCallFrameKey.Create(1);
        var sealedKey = MailboxSeal.Seal(alice, bob.DeviceId, bobAgreement.PublicKey, key.ToBytes(), SealPurpose.RoomCallKey);
        Assert.True(sealedKey.Length <= RoomCallKey.MaxSealedBytes);

        Assert.True(MailboxSeal.TryOpen(sealedKey, bobAgreement, bob.DeviceId, SealPurpose.RoomCallKey, out var sender, out var plaintext, out var error), error);
        Assert.Equal(alice.DeviceId, sender);
        Assert.True(RoomCallFrameKey.TryRead(plaintext, out var opened));
        Assert.Equal(key.Key, opened.Key);
        Assert.Equal(key.KeyId, opened.KeyId);
        Assert.False(MailboxSeal.TryOpen(sealedKey, eveAgreement, bob.DeviceId, SealPurpose.RoomCallKey, out _, out _, out _));
        Assert.False(MailboxSeal.TryOpen(sealedKey, bobAgreement, bob.DeviceId, SealPurpose.RoomKey, out _, out _, out _));
    }

    [Fact]
    public void Messages_KeepTheirLayouts()
    {
        Assert.Equal([0, 0, 0, 5, 4, .. "team"u8, 3], new RoomCallJoin(5, "team", RoomCallMedia.Audio | RoomCallMedia.Video).ToArray());
        Assert.Equal([0, 0, 0, 9], new RoomCallLeave(9).ToArray());
        Assert.Equal([0, 0, 0, 9, 0, 2, 0, 3, 1, 2, 3], new RoomCallKey(9, 2, [1, 2, 3]).ToArray());
        var device = new DeviceId(Enumerable.Repeat((byte)0xA1, DeviceId.Size).ToArray());
        Assert.Equal([0, 0, 0, 9, 2, 0, 4, .. device.Bytes, 1], new RoomCallNotice(9, RoomCallChange.Left, 4, device, RoomCallMedia.Audio).ToArray());
        var joined = new RoomCallJoined(1, 9, 4, new byte[RoomCallHop.KeySize], 47900);
        Assert.Equal(RoomCallJoined.Size, joined.ToArray().Length);
        Assert.False(WireMessage.TryRead<RoomCallJoin>((byte[])[0, 0, 0, 5, 4, .. "team"u8, 2], out _, out _)); // video without audio
        Assert.False(WireMessage.TryRead<RoomCallPacket>(new byte[RoomCallHop.MaxSize + 1], out _, out _));
    }
}
