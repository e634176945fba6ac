using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>
/// A hop packet carried over the TLS link when UDP does not pass (either way): the same bytes as the
/// datagram, checked the same way.
/// <code>
/// RoomCallPacket: a <see cref="RoomCallHop"/> packet
/// </code>
/// </summary>
public sealed record RoomCallPacket(byte[] Bytes) : IWireMessage<RoomCallPacket>
{
    public static int MaxSize => RoomCallHop.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomCallPacket message, out string error)
    {
        message = null;
        if (payload.Length is < RoomCallHop.HeaderSize + RoomCallHop.TagSize or > RoomCallHop.MaxSize)
        {
            error = "not a room call packet's size";
            return false;
        }
        var bytes = payload.ToArray();
        if (!RoomCallHop.TryReadHeader(bytes, out _))
        {
            error = "not a room call packet";
            return false;
        }
        message = new RoomCallPacket(bytes);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output) => output.Write(Bytes);
}
