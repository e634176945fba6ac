using System.Security.Cryptography;
using Parley.Core.Calls;

namespace Parley.Core.Tests.Calls;

/// <summary>
/// The media nonce is the direction's salt and the u32 packet number: after 2^32 - 1 packets the
/// next number would repeat a nonce under the same AES-GCM key. The sender stops there (the call
/// ends, <see cref="MediaSession.KeysUsedUp"/>) and the receiver refuses a counter that wrapped.
/// </summary>
public sealed class PacketNumberLimitTests
{
    private const uint CallId = 0xC0FFEE;

    private sealed class Heard : IMediaSessionListener
    {
        public List<MediaFrame> Frames { get; } = [];

        public void OnFrame(MediaFrame frame) => Frames.Add(frame);

        public void OnKeyframeRequested(StreamKind stream)
        {
        }

        public void OnBitrateChanged(int bitsPerSecond)
        {
        }
    }

    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize);
    private readonly List<byte[]> _wire = [];
    private readonly Heard _calleeHeard = new();

    private MediaSession Caller() => new(CallId, _secret, isCaller: true, p =>
    {
        _wire.Add(p.ToArray());
        return true;
    }, new Heard(), new ManualTimeProvider());

    private MediaSession Callee() => new(CallId, _secret, isCaller: false, _ => true, _calleeHeard, new ManualTimeProvider());

    private static uint NumberOf(byte[] packet) => MediaHeader.Read(packet).PacketNumber;

    [Fact]
    public void Sender_near_the_end_of_its_packet_numbers_stops_before_the_counter_wraps()
    {
        using var caller = Caller();
        caller.StartPacketNumbersAt(uint.MaxValue - 3);
        for (var i = 0; i < 3; i++)
        {
            caller.SendFrame(StreamKind.Audio, (uint)i * 960, false, 2, [1, 2, 3]);
        }
        Assert.False(caller.KeysUsedUp);
        // Two packets for this frame, one number left: not half a frame, and no number after the last.
        caller.SendFrame(StreamKind.Video, 9000, true, 1, new byte[2000]);
        for (var i = 0; i < 10; i++)
        {
            caller.SendFrame(StreamKind.Audio, 5000 + (uint)i * 960, false, 2, [4, 5, 6]);
            caller.RequestKeyframe(StreamKind.Video);
        }
        Assert.Equal([uint.MaxValue - 3, uint.MaxValue - 2, uint.MaxValue - 1], _wire.Select(NumberOf));
        Assert.True(caller.KeysUsedUp);
    }

    [Fact]
    public void The_last_number_is_used_then_the_keys_are_used_up()
    {
        using var caller = Caller();
        caller.StartPacketNumbersAt(uint.MaxValue - 1);
        caller.SendFrame(StreamKind.Audio, 0, false, 2, [1]);
        caller.SendFrame(StreamKind.Audio, 960, false, 2, [2]);
        caller.SendFrame(StreamKind.Audio, 1920, false, 2, [3]);
        Assert.Equal([uint.MaxValue - 1, uint.MaxValue], _wire.Select(NumberOf));
        Assert.True(caller.KeysUsedUp);

        using var callee = Callee();
        Assert.All(_wire, packet => Assert.True(callee.OnPacket(packet)));
        Assert.Equal(2, _calleeHeard.Frames.Count);
    }

    [Fact]
    public void Receiver_refuses_a_counter_that_wrapped_even_under_the_right_key()
    {
        using var caller = Caller();
        using var callee = Callee();
        caller.StartPacketNumbersAt(uint.MaxValue - 1);
        caller.SendFrame(StreamKind.Audio, 0, false, 2, [1]);
        caller.SendFrame(StreamKind.Audio, 960, false, 2, [2]);
        Assert.All(_wire, packet => Assert.True(callee.OnPacket(packet)));

        // What a sender that wrapped would send: numbers 0, 1, 2 again, sealed with the same key.
        var (seal, _) = MediaCrypto.ForCall(_secret, isCaller: true);
        using (seal)
        {
            for (uint number = 0; number < 3; number++)
            {
                var packet = new byte[MediaHeader.Size + 1 + MediaHeader.TagSize];
                seal.Seal(new MediaHeader(PacketKind.Media, StreamKind.Audio, CallId, number, 0, 0, 0, 1, MediaFlags.None, 2), [9], packet);
                Assert.False(callee.OnPacket(packet));
            }
        }
        Assert.Equal(3, callee.Stats.TooOld);
        Assert.Equal(2, _calleeHeard.Frames.Count);
    }
}
