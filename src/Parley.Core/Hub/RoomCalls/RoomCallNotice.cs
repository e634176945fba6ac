using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>What happened to a participant of a room call.</summary>
public enum RoomCallChange : byte
{
    /// <summary>In the call (sent for each one already in when we join, then for each newcomer).</summary>
    Joined = 1,

    /// <summary>Left, or its link to the hub closed.</summary>
    Left = 2,

    /// <summary>The hub cut it off for sending more than its budget (sent to it too, then nothing more).</summary>
    CutOff = 3,
}

/// <summary>
/// The hub tells a call's participants, at once, who joined or left; a participant's device ID lets the
/// others seal their frame keys to it (<see cref="RoomCallKey"/>) and check it is a room member they know.
/// <code>
/// RoomCallNotice: call ID u32 | change u8 | participant ID u16 | device ID (32) | media u8
/// </code>
/// </summary>
public sealed record RoomCallNotice(uint CallId, RoomCallChange Change, ushort Participant, DeviceId Device, RoomCallMedia Media)
    : IWireMessage<RoomCallNotice>
{
    public const int Size = 4 + 1 + 2 + DeviceId.Size + 1;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomCallNotice message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != Size || !reader.TryReadU32(out var call) || !reader.TryRead(out var change) || change is < 1 or > 3
            || !reader.TryReadU16(out var participant) || !reader.TryReadDevice(out var device) || !reader.TryRead(out var media) || media > 3)
        {
            error = $"a room call notice is {Size} bytes: call, change, participant, device, media";
            return false;
        }
        message = new RoomCallNotice(call, (RoomCallChange)change, participant, device, (RoomCallMedia)media);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(CallId);
        output.WriteU8((byte)Change);
        output.WriteU16(Participant);
        output.WriteDevice(Device);
        output.WriteU8((byte)Media);
    }
}
