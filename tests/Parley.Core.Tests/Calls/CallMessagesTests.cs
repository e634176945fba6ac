using System.Buffers;
using Parley.Core.Calls;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Calls;

/// <summary>The call messages' bytes, as the protocol draws them, and what they refuse.</summary>
public sealed class CallMessagesTests
{
    private static readonly byte[] Secret = [.. Enumerable.Range(1, MediaCrypto.SecretSize).Select(i => (byte)i)];

    [Fact]
    public void Signals_keep_their_wire_bytes_and_read_back()
    {
        var invite = new CallInvite(0x01020304, CallMedia.Audio | CallMedia.Video, VideoCodecs.Vp8 | VideoCodecs.H264, 0x0506, CallEngines.WebCodecs | CallEngines.WebRtc, Secret);
        Assert.Equal([1, 2, 3, 4, 3, 5, 5, 6, 3, .. Secret], invite.ToArray());
        var back = WireMessage.Read<CallInvite>(invite.ToArray());
        Assert.Equal(invite with { Secret = back.Secret }, back);
        Assert.Equal(Secret, back.Secret);

        var answer = new CallAnswer(0x01020304, false, VideoCodecs.None, 0, CallEngines.None, "busy");
        Assert.Equal([1, 2, 3, 4, 0, 0, 0, 0, 0, .. "busy"u8], answer.ToArray());
        var yes = new CallAnswer(7, true, VideoCodecs.H264, 0x0506, CallEngines.WebRtc, "");
        Assert.Equal([0, 0, 0, 7, 1, 4, 5, 6, 2], yes.ToArray());
        Assert.Equal(yes, WireMessage.Read<CallAnswer>(yes.ToArray()));

        var signal = new CallPageSignal(9, PageSignalKind.Offer, "v=0\r\n");
        Assert.Equal([0, 0, 0, 9, 1, .. "v=0\r\n"u8], signal.ToArray());
        Assert.Equal(signal, WireMessage.Read<CallPageSignal>(signal.ToArray()));
        Assert.Equal(answer, WireMessage.Read<CallAnswer>(answer.ToArray()));

        var end = new CallEnd(9, "bye");
        Assert.Equal([0, 0, 0, 9, .. "bye"u8], end.ToArray());
        Assert.Equal(end, WireMessage.Read<CallEnd>(end.ToArray()));
    }

    [Fact]
    public void Reasons_are_cut_to_the_cap_at_a_character_boundary()
    {
        var bytes = new CallEnd(1, new string('é', 200)).ToArray();
        Assert.Equal(CallEnd.MaxSize, bytes.Length);
        Assert.Equal(128, WireMessage.Read<CallEnd>(bytes).Reason.Length);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 1, 2, 0, 0, 0 })] // accepted 2
    [InlineData(new byte[] { 0, 0, 0, 1, 1, 3, 0, 0 })] // two codecs chosen
    [InlineData(new byte[] { 0, 0, 0, 1, 0, 0, 0, 0, 0xFF })] // reason not UTF-8
    [InlineData(new byte[] { 0, 0, 0, 1, 1, 1, 0 })] // short
    public void Bad_answers_are_refused(byte[] payload) =>
        Assert.False(CallAnswer.TryRead(new ReadOnlySequence<byte>(payload), out _, out _));

    [Fact]
    public void A_page_frame_keeps_its_layout_and_reads_in_place()
    {
        byte[] data = [9, 8, 7];
        var bytes = new PageFrame(StreamKind.Screen, true, 16, 0x0A0B0C0D, data).ToArray();
        Assert.Equal([2, 1, 16, 0x0A, 0x0B, 0x0C, 0x0D, 9, 8, 7], bytes);
        var frame = WireMessage.Read<PageFrame>(bytes);
        Assert.Equal((StreamKind.Screen, true, (byte)16, 0x0A0B0C0Du), (frame.Stream, frame.Keyframe, frame.Codec, frame.Timestamp));
        Assert.True(MemoryExtensions.Overlaps(frame.Data.Span, bytes)); // not copied
        Assert.False(WireMessage.TryRead<PageFrame>(new byte[] { 3, 0, 0, 0, 0, 0, 0 }, out _, out _));
        Assert.False(WireMessage.TryRead<PageFrame>(new byte[] { 0, 8, 0, 0, 0, 0, 0 }, out _, out _)); // flags: keyframe and a 2-bit layer, no more
        var layered = WireMessage.Read<PageFrame>(new byte[] { 1, 5, 1, 0, 0, 0, 0 });
        Assert.Equal((true, (byte)2), (layered.Keyframe, layered.Layer));
        Assert.Equal([1, 5, 1, 0, 0, 0, 0], layered.ToArray());
        Assert.False(WireMessage.TryRead<PageFrame>(new byte[6], out _, out _));
    }

    [Fact]
    public void Reports_and_nack_lists_read_back_and_refuse_odd_sizes()
    {
        var report = new ReceiverReport(1, 2, 3, 4, 5, 6);
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 4, 0, 0, 0, 5, 0, 0, 0, 6], report.ToArray());
        Assert.Equal(report, WireMessage.Read<ReceiverReport>(report.ToArray()));
        Assert.False(WireMessage.TryRead<ReceiverReport>(new byte[20], out _, out _));

        var nack = new NackList([1, 0xFFFFFFFF]);
        Assert.Equal([0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF], nack.ToArray());
        Assert.Equal([1u, 0xFFFFFFFF], WireMessage.Read<NackList>(nack.ToArray()).Numbers);
        Assert.False(WireMessage.TryRead<NackList>(new byte[7], out _, out _));
        Assert.False(WireMessage.TryRead<NackList>(new byte[NackList.MaxSize + 4], out _, out _));
    }

    [Fact]
    public void A_media_packet_split_across_buffers_reads_like_one_in_a_piece()
    {
        var whole = new byte[100];
        new MediaHeader(PacketKind.Media, StreamKind.Audio, 5, 6, 7, 8, 0, 1, MediaFlags.None, 16).Write(whole);
        var first = new Segment(whole.AsMemory(0, 10));
        var last = first.Append(whole.AsMemory(10));
        Assert.True(MediaPacket.TryRead(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var split, out _));
        Assert.True(WireMessage.TryRead<MediaPacket>(whole, out var inPlace, out _));
        Assert.Equal(inPlace.Header, split.Header);
        Assert.Equal(whole, split.Bytes.ToArray());
    }

    [Fact]
    public void Reading_datagrams_and_page_frames_in_one_piece_allocates_nothing()
    {
        var datagram = new byte[MediaHeader.MaxPacket];
        new MediaHeader(PacketKind.Media, StreamKind.Video, 5, 6, 7, 8, 0, 1, MediaFlags.Keyframe, 1).Write(datagram);
        var stray = new byte[100];
        var page = new PageFrame(StreamKind.Video, true, 1, 2, new byte[40_000]).ToArray();
        var read = 0;
        for (var round = 0; round < 2; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                read += MediaPacket.TryRead(new ReadOnlySequence<byte>(datagram), out _, out _) ? 1 : 0;
                read += MediaPacket.TryRead(new ReadOnlySequence<byte>(stray), out _, out _) ? 1 : 0;
                read += PageFrame.TryRead(new ReadOnlySequence<byte>(page), out _, out _) ? 1 : 0;
            }
            if (round == 1) // the first round warms up
            {
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }
        Assert.Equal(4000, read);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
