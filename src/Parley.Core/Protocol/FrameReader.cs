using System.Buffers;
using System.Buffers.Binary;

namespace Parley.Core.Protocol;

public enum ReadResultKind
{
    NeedMoreData,
    Frame,
    Error,
}

/// <summary>
/// Decodes frames. Pure code over a buffer, so it can be fuzzed without sockets.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |                 payload length (u32, big endian)              |
/// +---------------+---------------+-------------------------------+
/// |  type (u8)    | channel (u8)  |  payload (length bytes) ...   |
/// +---------------+---------------+-------------------------------+
/// </code>
/// The length is checked against the type's cap in the link's <see cref="FrameTable"/>
/// as soon as the header is in, before the payload is buffered.
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// Tries to take one frame off the front of <paramref name="buffer"/>. On
    /// <see cref="ReadResultKind.Frame"/> the buffer is advanced past it; on
    /// <see cref="ReadResultKind.NeedMoreData"/> it is untouched; on
    /// <see cref="ReadResultKind.Error"/> <paramref name="error"/> says why and the link must close.
    /// </summary>
    public static ReadResultKind TryRead(ref ReadOnlySequence<byte> buffer, FrameTable frames, out Frame frame, out string error)
    {
        frame = default;
        error = "";
        if (buffer.Length < ProtocolLimits.HeaderSize)
        {
            return ReadResultKind.NeedMoreData;
        }
        Span<byte> header = stackalloc byte[ProtocolLimits.HeaderSize];
        buffer.Slice(0, ProtocolLimits.HeaderSize).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var type = header[4];
        var channel = header[5];
        var cap = frames.MaxPayloadFor(type);
        if (cap is null)
        {
            error = $"unknown frame type 0x{type:x2}"; // or one this kind of link does not take
            return ReadResultKind.Error;
        }
        if (length > (uint)cap.Value)
        {
            error = $"{(FrameType)type} frame of {length} bytes is over its cap of {cap.Value}";
            return ReadResultKind.Error;
        }
        var total = ProtocolLimits.HeaderSize + (long)length;
        if (buffer.Length < total)
        {
            return ReadResultKind.NeedMoreData;
        }
        frame = new Frame((FrameType)type, channel, buffer.Slice(ProtocolLimits.HeaderSize, length));
        buffer = buffer.Slice(total);
        return ReadResultKind.Frame;
    }
}
