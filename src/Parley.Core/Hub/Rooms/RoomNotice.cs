using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// Someone joined or left a room we are in (so our sender key is replaced).
/// <code>
/// RoomNotice: joined u8 | name length u8 | room | device ID (32) | member name length u8 | member name
/// </code>
/// </summary>
public sealed record RoomNotice(bool Joined, string Room, DeviceId Member, string Name) : IWireMessage<RoomNotice>
{
    public static int MaxSize => 2 + RoomNames.MaxBytes + DeviceId.Size + 1 + ProtocolLimits.MaxNameBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomNotice message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryRead(out var joined) || joined > 1 || !reader.TryReadRoom(out var room) || !reader.TryReadDevice(out var member)
            || !reader.TryReadText8(byte.MaxValue, out var name) || reader.Remaining != 0)
        {
            error = "truncated, not a room name, or trailing bytes";
            return false;
        }
        message = new RoomNotice(joined == 1, room, member, name);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU8(Joined ? (byte)1 : (byte)0);
        output.WriteRoom(Room);
        output.WriteDevice(Member);
        output.WriteText8(Name, ProtocolLimits.MaxNameBytes);
    }
}
