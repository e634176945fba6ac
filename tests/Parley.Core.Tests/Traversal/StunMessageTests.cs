using System.Net;
using Parley.Core.Traversal;

namespace Parley.Core.Tests.Traversal;

public sealed class StunMessageTests
{
    private static readonly byte[] Key = StunIntegrity.LongTermKey("user", "realm", "pass");

    private static byte[] Signed(out byte[] id)
    {
        var builder = new StunMessageBuilder(0x0103)
            .AddXorAddress(StunAttribute.XorRelayedAddress, new IPEndPoint(IPAddress.Parse("198.51.100.7"), 50_000))
            .AddXorAddress(StunAttribute.XorMappedAddress, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 40_000))
            .AddUInt32(StunAttribute.Lifetime, 600)
            .Add(StunAttribute.Software, "odd")
            .AddIntegrity(Key)
            .AddFingerprint();
        id = builder.TransactionId.ToArray();
        return builder.ToArray();
    }

    [Fact]
    public void BuiltMessage_ReadsBack_WithItsAddresses_IntegrityAndFingerprint()
    {
        var bytes = Signed(out var id);
        Assert.True(StunMessage.TryParse(bytes, out var message));
        Assert.Equal(0x0103, message.Type);
        Assert.True(message.TransactionId.SequenceEqual(id));
        Assert.True(message.TryGet(StunAttribute.XorRelayedAddress, out var relayed));
        Assert.True(StunAddress.TryReadXor(relayed, id, out var relayedAddress));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 50_000), relayedAddress);
        Assert.True(message.TryGet(StunAttribute.XorMappedAddress, out var mapped));
        Assert.True(StunAddress.TryReadXor(mapped, id, out var mappedAddress));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 40_000), mappedAddress);
        Assert.True(StunIntegrity.Verify(message, Key));
        Assert.False(StunIntegrity.Verify(message, StunIntegrity.LongTermKey("user", "realm", "wrong")));
        Assert.Equal(0, bytes.Length % 4);
    }

    [Fact]
    public void ChangedByte_FailsTheFingerprint_OrTheIntegrity()
    {
        var bytes = Signed(out _);
        bytes[30] ^= 1; // inside XOR-RELAYED-ADDRESS
        Assert.False(StunMessage.TryParse(bytes, out _)); // FINGERPRINT no longer matches
        var unfingerprinted = new StunMessageBuilder(0x0103).AddUInt32(StunAttribute.Lifetime, 600).AddIntegrity(Key).ToArray();
        unfingerprinted[26] ^= 1;
        Assert.True(StunMessage.TryParse(unfingerprinted, out var message));
        Assert.False(StunIntegrity.Verify(message, Key));
    }

    [Fact]
    public void ErrorCode_IsRead_AsClassTimesHundredPlusNumber()
    {
        byte[] value = [0, 0, 4, 38, .. "Stale Nonce"u8];
        var bytes = new StunMessageBuilder(0x0113).Add(StunAttribute.ErrorCode, value).ToArray();
        Assert.True(StunMessage.TryParse(bytes, out var message));
        Assert.True(message.TryGetError(out var code, out var reason));
        Assert.Equal(438, code);
        Assert.Equal("Stale Nonce", reason);
    }

    [Fact]
    public void ChannelData_ReadsBack_AndRefusesALengthPastTheEnd()
    {
        var buffer = new byte[16];
        var length = TurnMessages.WriteChannelData(buffer, 0x4001, "hello"u8);
        Assert.True(TurnMessages.TryReadChannelData(buffer.AsSpan(0, length), out var channel, out var data));
        Assert.Equal(0x4001, channel);
        Assert.Equal("hello"u8.ToArray(), data.ToArray());
        Assert.False(TurnMessages.TryReadChannelData(buffer.AsSpan(0, length - 1), out _, out _));
        Assert.False(StunMessage.TryParse(buffer.AsSpan(0, length), out _));
    }

    [Fact]
    public void RandomAndMutatedBytes_NeverThrow()
    {
        var random = new Random(17);
        var valid = Signed(out var id);
        var buffer = new byte[200];
        for (var i = 0; i < 50_000; i++)
        {
            ReadOnlySpan<byte> input;
            if (i % 2 == 0)
            {
                random.NextBytes(buffer);
                buffer[0] &= 0x7F; // half STUN-looking, half ChannelData-looking
                if (i % 4 == 0)
                {
                    "\x21\x12\xA4\x42"u8.CopyTo(buffer.AsSpan(4)); // the cookie, so the attribute walk runs
                }
                input = buffer.AsSpan(0, random.Next(buffer.Length));
            }
            else
            {
                var mutated = (byte[])valid.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }
                input = mutated.AsSpan(0, random.Next(mutated.Length + 1));
            }
            Exercise(input, id);
        }
    }

    private static void Exercise(ReadOnlySpan<byte> input, byte[] id)
    {
        TurnMessages.TryReadChannelData(input, out _, out _);
        if (!StunMessage.TryParse(input, out var message))
        {
            return;
        }
        StunIntegrity.Verify(message, Key);
        message.TryGetError(out _, out _);
        foreach (var type in new[] { StunAttribute.XorRelayedAddress, StunAttribute.XorMappedAddress, StunAttribute.XorPeerAddress, StunAttribute.Data, StunAttribute.Lifetime, StunAttribute.Nonce })
        {
            if (message.TryGet(type, out var value))
            {
                StunAddress.TryReadXor(value, message.TransactionId, out _);
                StunAddress.TryReadXor(value, id, out _);
            }
        }
    }
}
