using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

public enum RoomOp : byte
{
    Create = 1,
    Join = 2,
    Leave = 3,
    List = 4,
    Members = 5,
}

/// <summary>
/// A member asks the hub to create, join or leave a room, or to list rooms or a room's members.
/// The hub answers with a <see cref="RoomListReply"/> (List) or a <see cref="RoomMembersReply"/> (the others).
/// Everything a room's members say to each other is end-to-end encrypted: the hub only sees room
/// names, who is in them, and opaque bytes.
/// <code>
/// RoomCommand: command ID u32 | op u8 | name length u8 | name
/// </code>
/// </summary>
public sealed record RoomCommand(uint CommandId, RoomOp Op, string Room) : IWireMessage<RoomCommand>
{
    public static int MaxSize => 5 + 1 + RoomNames.MaxBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomCommand message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryRead(out var op) || op is < (byte)RoomOp.Create or > (byte)RoomOp.Members
            || !reader.TryReadRoom(out var room) || reader.Remaining != 0)
        {
            error = "no command ID, an unknown op, or not a room name";
            return false;
        }
        message = new RoomCommand(id, (RoomOp)op, room);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(CommandId);
        output.WriteU8((byte)Op);
        output.WriteRoom(Room);
    }
}
