using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>
/// The hub let a member into a room's call: the call's ID, the participant ID its packets carry, and
/// the hop key (fresh for this join, sent only over the member's TLS link) that authenticates every
/// packet between it and the hub (<see cref="RoomCallHop"/>). The participants already in follow as
/// <see cref="RoomCallNotice"/>s. <see cref="UdpPort"/> is the hub's UDP port for the call's packets,
/// 0 when the hub has none (then packets go as <see cref="RoomCallPacket"/> frames over the link).
/// <code>
/// RoomCallJoined: request ID u32 | call ID u32 | participant ID u16 | hop key (32) | UDP port u16
/// </code>
/// </summary>
public sealed record RoomCallJoined(uint RequestId, uint CallId, ushort Participant, byte[] HopKey, ushort UdpPort) : IWireMessage<RoomCallJoined>
{
    public const int Size = 4 + 4 + 2 + RoomCallHop.KeySize + 2;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomCallJoined message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != Size || !reader.TryReadU32(out var id) || !reader.TryReadU32(out var call) || !reader.TryReadU16(out var participant)
            || !reader.TryReadBytes(RoomCallHop.KeySize, out var key) || !reader.TryReadU16(out var port) || call == 0 || participant == 0)
        {
            error = $"a room call grant is {Size} bytes, with a call and a participant ID";
            return false;
        }
        message = new RoomCallJoined(id, call, participant, key, port);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.WriteU32(CallId);
        output.WriteU16(Participant);
        output.Write(HopKey);
        output.WriteU16(UdpPort);
    }
}
