using System.Buffers;
using System.Security.Cryptography;
using Parley.Core.Calls;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Calls;

public sealed class MediaTransportTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize);

    private static MediaHeader Header(uint packet, ushort frame = 7, byte fragment = 0, byte count = 1) =>
        new(PacketKind.Media, StreamKind.Video, 0xC0FFEE, packet, 90_000, frame, fragment, count, MediaFlags.Keyframe, 1);

    private static bool Read(byte[] datagram, out MediaPacket packet) => MediaPacket.TryRead(new ReadOnlySequence<byte>(datagram), out packet, out _);

    [Fact]
    public void A_sealed_packet_opens_on_the_other_side_only()
    {
        var (callerSeal, callerOpen) = MediaCrypto.ForCall(Secret, isCaller: true);
        var (calleeSeal, calleeOpen) = MediaCrypto.ForCall(Secret, isCaller: false);
        var payload = RandomNumberGenerator.GetBytes(MediaHeader.MaxPayload);
        var packet = new byte[MediaHeader.MaxPacket];
        var length = callerSeal.Seal(Header(1), payload, packet);
        Assert.Equal(MediaHeader.MaxPacket, length);
        Assert.True(WireMessage.TryRead<MediaPacket>(packet.AsMemory(0, length), out var sealedPacket, out _));
        Assert.Equal(Header(1), sealedPacket.Header);
        var opened = new byte[MediaHeader.MaxPayload];
        Assert.True(calleeOpen.TryOpen(sealedPacket, opened, out var got));
        Assert.Equal(payload, opened[..got]);
        // Its own direction's key, or a key of another call, cannot open it.
        Assert.False(callerOpen.TryOpen(sealedPacket, opened, out _));
        var (_, otherCall) = MediaCrypto.ForCall(RandomNumberGenerator.GetBytes(32), isCaller: false);
        Assert.False(otherCall.TryOpen(sealedPacket, opened, out _));
        // Any flipped bit, in the header (authenticated) or the body, is refused.
        for (var i = 0; i < length; i += 37)
        {
            var damaged = packet[..length];
            damaged[i] ^= 0x10;
            Assert.False(Read(damaged, out var p) && calleeOpen.TryOpen(p, opened, out _), $"byte {i} flipped was accepted");
        }
        callerSeal.Dispose();
        calleeSeal.Dispose();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(35)]
    [InlineData(1201)]
    public void Sizes_outside_the_packet_limits_are_not_headers(int length) => Assert.False(Read(new byte[length], out _));

    [Fact]
    public void Malformed_headers_are_refused()
    {
        var packet = new byte[100];
        Header(1, fragment: 0, count: 1).Write(packet);
        Assert.True(Read(packet, out _));
        var wrongVersion = (byte[])packet.Clone();
        wrongVersion[0] = 0x20;
        var badKind = (byte[])packet.Clone();
        badKind[0] = 0x1F;
        var badStream = (byte[])packet.Clone();
        badStream[1] = 9;
        var fragmentPastCount = (byte[])packet.Clone();
        fragmentPastCount[16] = 1;
        var zeroCount = (byte[])packet.Clone();
        zeroCount[17] = 0;
        foreach (var bad in new[] { wrongVersion, badKind, badStream, fragmentPastCount, zeroCount })
        {
            Assert.False(Read(bad, out _));
        }
    }

    [Fact]
    public void The_replay_window_takes_each_number_once_and_nothing_too_old()
    {
        var window = new ReplayWindow();
        foreach (var n in new uint[] { 5, 3, 4, 10, 6 })
        {
            Assert.Equal(ReplayWindow.Verdict.New, window.Check(n));
            window.Mark(n);
        }
        Assert.Equal(ReplayWindow.Verdict.Replayed, window.Check(3));
        Assert.Equal(ReplayWindow.Verdict.Replayed, window.Check(10));
        Assert.Equal(ReplayWindow.Verdict.New, window.Check(9));
        window.Mark(2000);
        Assert.Equal(ReplayWindow.Verdict.TooOld, window.Check(10));
        Assert.Equal(ReplayWindow.Verdict.TooOld, window.Check(2000 - ReplayWindow.Size));
        Assert.Equal(ReplayWindow.Verdict.New, window.Check(2000 - ReplayWindow.Size + 1));
        // Slots reused after the window slid are free again, not remembered from a lap ago.
        Assert.Equal(ReplayWindow.Verdict.New, window.Check(10 + ReplayWindow.Size));
        for (uint n = 2001; n < 6000; n++)
        {
            window.Mark(n);
        }
        Assert.Equal(ReplayWindow.Verdict.Replayed, window.Check(5000));
        Assert.Equal(ReplayWindow.Verdict.New, window.Check(6001));
    }

    [Fact]
    public void Frames_split_and_come_back_whole_in_any_order_once()
    {
        var frame = RandomNumberGenerator.GetBytes(50_000);
        var slices = FrameAssembler.Split(frame.Length).ToList();
        Assert.Equal((frame.Length + MediaHeader.MaxPayload - 1) / MediaHeader.MaxPayload, slices.Count);
        Assert.All(slices, s => Assert.InRange(s.Length, 1, MediaHeader.MaxPayload));
        Assert.Equal(frame.Length, slices.Sum(s => s.Length));
        var assembler = new FrameAssembler();
        var order = Enumerable.Range(0, slices.Count).OrderBy(i => (i * 7919) % slices.Count).ToList();
        MediaFrame? whole = null;
        foreach (var i in order)
        {
            var (offset, length) = slices[i];
            Assert.Null(whole);
            whole = assembler.Add(Header((uint)i, 42, (byte)i, (byte)slices.Count), frame.AsSpan(offset, length));
        }
        Assert.NotNull(whole);
        Assert.Equal(frame, whole.Data);
        Assert.True(whole.Keyframe);
        // A retransmitted copy of a fragment after completion does not start the frame again.
        Assert.Null(assembler.Add(Header(99, 42, 0, (byte)slices.Count), frame.AsSpan(0, slices[0].Length)));
        Assert.Equal(0, assembler.Abandoned);
        Assert.Throws<ArgumentException>(() => FrameAssembler.Split(FrameAssembler.MaxFrameBytes + 1).ToList());
    }

    [Fact]
    public void Incomplete_frames_are_bounded_and_counted()
    {
        var assembler = new FrameAssembler();
        for (ushort f = 0; f < FrameAssembler.MaxPending + 10; f++)
        {
            Assert.Null(assembler.Add(Header(f, f, 0, 2), new byte[10]));
        }
        Assert.Equal(10, assembler.Abandoned);
        Assert.Equal(5, assembler.DropBefore(StreamKind.Video, 15));
        // A fragment that disagrees with its frame (another count) is dropped.
        Assert.Null(assembler.Add(Header(500, 30, 1, 3), new byte[10]));
        Assert.NotNull(assembler.Add(Header(501, 30, 1, 2), new byte[10]));
    }

    [Fact]
    public void A_gap_older_than_the_sender_keeps_packets_is_given_up_at_once_and_a_short_one_is_waited_for()
    {
        static MediaFrame Frame(int number) => new(StreamKind.Video, (ushort)number, (uint)(number * 3000), number == 0, 1, [1]); // 30 frames a second at 90 kHz
        var afterOutage = new VideoOrderBuffer();
        var shortGap = new VideoOrderBuffer();
        foreach (var buffer in new[] { afterOutage, shortGap })
        {
            for (var n = 0; n < 3; n++)
            {
                Assert.Single(buffer.Add(Frame(n), nowMs: n * 33));
            }
        }
        Assert.Empty(afterOutage.Add(Frame(63), nowMs: 2100)); // frames 3..62 (2 s) lost in an outage
        Assert.Empty(shortGap.Add(Frame(4), nowMs: 140)); // frame 3 is being resent
        Assert.True(afterOutage.Tick(2101, budgetMs: 400, resendableMs: 500).RequestKeyframe);
        Assert.False(shortGap.Tick(141, budgetMs: 400, resendableMs: 500).RequestKeyframe);
        Assert.Equal([3, 4], shortGap.Add(Frame(3), nowMs: 190).Select(f => (int)f.Number));
    }
}
