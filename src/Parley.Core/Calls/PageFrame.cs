using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// An encoded frame between a page (or the CLI's call runner) and its own node, one binary WebSocket
/// message each way:
/// <code>
/// stream u8 (0 audio, 1 video, 2 screen) | flags u8 (1 keyframe, bits 1-2 temporal layer) | codec u8 | timestamp u32 | data (at most <see cref="FrameAssembler.MaxFrameBytes"/>)
/// </code>
/// A message that arrived in one piece is read where it lies (<see cref="Data"/> is a slice of it).
/// </summary>
public readonly record struct PageFrame(StreamKind Stream, bool Keyframe, byte Codec, uint Timestamp, ReadOnlyMemory<byte> Data, byte Layer = 0) : IWireMessage<PageFrame>
{
    public const int HeaderSize = 7;

    public static int MaxSize => HeaderSize + FrameAssembler.MaxFrameBytes;

    /// <summary>A frame from the peer, as its page gets it.</summary>
    public static PageFrame Of(MediaFrame frame) => new(frame.Stream, frame.Keyframe, frame.Codec, frame.Timestamp, frame.Data);

    public static bool TryRead(in ReadOnlySequence<byte> payload, out PageFrame message, out string error)
    {
        message = default;
        if (payload.Length is < HeaderSize or > HeaderSize + FrameAssembler.MaxFrameBytes)
        {
            error = "a page frame is a 7-byte header and at most one frame's bytes";
            return false;
        }
        var bytes = payload.IsSingleSegment ? payload.First : payload.ToArray();
        var span = bytes.Span;
        if (span[0] > (byte)StreamKind.Screen || span[1] > 7)
        {
            error = "a page frame of an unknown stream or flag";
            return false;
        }
        message = new PageFrame((StreamKind)span[0], (span[1] & 1) == 1, span[2], BinaryPrimitives.ReadUInt32BigEndian(span[3..]), bytes[HeaderSize..], (byte)(span[1] >> 1));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var header = output.GetSpan(HeaderSize);
        header[0] = (byte)Stream;
        header[1] = (byte)((Keyframe ? 1 : 0) | ((Layer & 3) << 1));
        header[2] = Codec;
        BinaryPrimitives.WriteUInt32BigEndian(header[3..], Timestamp);
        output.Advance(HeaderSize);
        output.Write(Data.Span);
    }
}
