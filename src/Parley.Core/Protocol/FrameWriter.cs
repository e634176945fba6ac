using System.Buffers;
using System.Buffers.Binary;

namespace Parley.Core.Protocol;

/// <summary>Encodes frames in the layout drawn on <see cref="FrameReader"/>.</summary>
public static class FrameWriter
{
    public static void Write(IBufferWriter<byte> output, FrameType type, byte channel, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > ProtocolLimits.MaxPayload)
        {
            throw new ArgumentException($"{type} payload of {payload.Length} bytes is over the frame cap of {ProtocolLimits.MaxPayload}.", nameof(payload));
        }
        var span = output.GetSpan(ProtocolLimits.HeaderSize + payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)payload.Length);
        span[4] = (byte)type;
        span[5] = channel;
        payload.CopyTo(span[ProtocolLimits.HeaderSize..]);
        output.Advance(ProtocolLimits.HeaderSize + payload.Length);
    }

    /// <summary>A whole frame as a new array, for tests and one-off sends.</summary>
    public static byte[] ToArray(FrameType type, byte channel, ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(ProtocolLimits.HeaderSize + payload.Length);
        Write(buffer, type, channel, payload);
        return buffer.WrittenSpan.ToArray();
    }
}
