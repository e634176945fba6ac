using System.Buffers.Binary;
using Parley.Core.Calls;

namespace Parley.Node.Calls;

/// <summary>
/// An encoded frame between a page and its own node, one binary WebSocket message each way:
/// stream u8 (0 audio, 1 video, 2 screen) | flags u8 (1 keyframe) | codec u8 | timestamp u32 | data.
/// </summary>
public static class PageFrame
{
    public const int HeaderSize = 7;

    public static byte[] Encode(MediaFrame frame) => Encode(frame.Stream, frame.Keyframe, frame.Codec, frame.Timestamp, frame.Data);

    public static byte[] Encode(StreamKind stream, bool keyframe, byte codec, uint timestamp, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[HeaderSize + data.Length];
        bytes[0] = (byte)stream;
        bytes[1] = keyframe ? (byte)1 : (byte)0;
        bytes[2] = codec;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(3), timestamp);
        data.CopyTo(bytes.AsSpan(HeaderSize));
        return bytes;
    }

    /// <summary>The parts of a page's message, or null when it is malformed or too big for one frame.</summary>
    public static (StreamKind Stream, bool Keyframe, byte Codec, uint Timestamp, ReadOnlyMemory<byte> Data)? Decode(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (span.Length < HeaderSize || span.Length - HeaderSize > FrameAssembler.MaxFrameBytes || span[0] > (byte)StreamKind.Screen || span[1] > 1)
        {
            return null;
        }
        return ((StreamKind)span[0], span[1] == 1, span[2], BinaryPrimitives.ReadUInt32BigEndian(span[3..]), message[HeaderSize..]);
    }
}
