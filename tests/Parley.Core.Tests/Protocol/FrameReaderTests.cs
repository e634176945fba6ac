using Parley.Core.Chat;
using Parley.Core.Links;
using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Protocol;

public class FrameReaderTests
{
    private static byte[] Header(uint length, byte type, byte channel = 0)
    {
        var header = new byte[ProtocolLimits.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        header[4] = type;
        header[5] = channel;
        return header;
    }

    private static ReadResultKind Read(byte[] bytes, out Frame frame, out string error, out long remaining)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        var kind = FrameReader.TryRead(ref buffer, Parley.Core.Links.KnownFrames.Table, out frame, out error);
        remaining = buffer.Length;
        return kind;
    }

    [Fact]
    public void Write_ThenRead_GivesSameFrame()
    {
        var payload = new ChatMessage(Guid.NewGuid(), DateTimeOffset.FromUnixTimeMilliseconds(1234567), "héllo").ToArray();
        var bytes = FrameWriter.ToArray(FrameType.ChatMessage, 3, payload).Concat(new byte[] { 9, 9 }).ToArray();
        Assert.Equal(ReadResultKind.Frame, Read(bytes, out var frame, out _, out var remaining));
        Assert.Equal(FrameType.ChatMessage, frame.Type);
        Assert.Equal(3, frame.Channel);
        Assert.Equal(payload, frame.Payload.ToArray());
        Assert.Equal(2, remaining);
    }

    [Fact]
    public void ZeroLengthPayload_IsAFrame()
    {
        Assert.Equal(ReadResultKind.Frame, Read(Header(0, (byte)FrameType.Pong), out var frame, out _, out _));
        Assert.Equal(0, frame.Length);
    }

    [Theory]
    [InlineData(0xFFFF_FFFFu)] // -1 as a signed length
    [InlineData(0x7FFF_FFFFu)] // 2^31 - 1
    [InlineData((uint)(ProtocolLimits.MessageIdSize + 8 + ChatMessage.MaxTextBytes + 1))] // cap + 1
    public void OversizedLength_IsErrorBeforePayloadArrives(uint length)
    {
        // Only the header is present: the reader must refuse without waiting for (or buffering) the payload.
        Assert.Equal(ReadResultKind.Error, Read(Header(length, (byte)FrameType.ChatMessage), out _, out var error, out _));
        Assert.Contains("over its cap", error, StringComparison.Ordinal);
    }

    [Fact]
    public void LengthAtCap_WaitsForPayload()
    {
        var cap = (uint)Parley.Core.Links.KnownFrames.Table.MaxPayloadFor((byte)FrameType.ChatMessage)!.Value;
        Assert.Equal(ReadResultKind.NeedMoreData, Read(Header(cap, (byte)FrameType.ChatMessage), out _, out _, out var remaining));
        Assert.Equal(ProtocolLimits.HeaderSize, remaining);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x06)]
    [InlineData(0xFF)]
    public void UnknownType_IsError(byte type)
    {
        Assert.Equal(ReadResultKind.Error, Read(Header(1, type), out _, out var error, out _));
        Assert.Contains("unknown frame type", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryTruncation_NeedsMoreData()
    {
        var bytes = FrameWriter.ToArray(FrameType.Ping, 0, new PingNonce(42).ToArray());
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            Assert.Equal(ReadResultKind.NeedMoreData, Read(bytes[..cut], out _, out _, out var remaining));
            Assert.Equal(cut, remaining);
        }
    }

    [Fact]
    public void FrameSplitAcrossSegments_IsRead()
    {
        var bytes = FrameWriter.ToArray(FrameType.ChatAck, 0, Guid.NewGuid().ToByteArray());
        var buffer = Segments.Split(bytes, 1, 4, 7);
        Assert.Equal(ReadResultKind.Frame, FrameReader.TryRead(ref buffer, Parley.Core.Links.KnownFrames.Table, out var frame, out _));
        Assert.Equal(bytes[ProtocolLimits.HeaderSize..], frame.Payload.ToArray());
    }
}

/// <summary>Builds multi-segment sequences, as a pipe hands them over.</summary>
internal static class Segments
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var points = cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length).ToList();
        var first = new Segment(bytes.AsMemory(0, points[0]), 0);
        var last = first;
        for (var i = 1; i < points.Count; i++)
        {
            last = last.Append(bytes.AsMemory(points[i - 1], points[i] - points[i - 1]));
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
