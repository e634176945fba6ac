using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

public enum RoomOp : byte
{
    /// <summary>Make the room; the blob is its first <see cref="RoomPolicy"/>, signed by the creator.</summary>
    Create = 1,

    /// <summary>Join; the blob is the <see cref="RoomInvite"/> joined with (a join link's), or empty (the hub looks for one made for the joiner).</summary>
    Join = 2,
    Leave = 3,
    List = 4,
    Members = 5,

    /// <summary>An owner hands the hub an invite for one device (the blob: the <see cref="RoomInvite"/>); the hub keeps it and tells the invitee.</summary>
    Invite = 6,

    /// <summary>An owner removes a member (the blob: its device ID).</summary>
    Remove = 7,

    /// <summary>An owner sets the room's next <see cref="RoomPolicy"/> (the blob).</summary>
    Policy = 8,
}

/// <summary>
/// A member asks the hub to create, join or leave a room, list rooms or a room's members, or (an
/// owner) to invite, remove or change the room's policy. The hub answers with a
/// <see cref="RoomListReply"/> (List) or a <see cref="RoomMembersReply"/> (the others). Everything a
/// room's members say to each other is end-to-end encrypted: the hub only sees room names, who is in
/// them, the signed statements of who may be, and opaque bytes.
/// <code>
/// RoomCommand: command ID u32 | op u8 | name length u8 | name | blob length u16 | blob (what the op says; may be empty)
/// </code>
/// </summary>
public sealed record RoomCommand(uint CommandId, RoomOp Op, string Room) : IWireMessage<RoomCommand>
{
    /// <summary>The largest blob: a policy (the longest statement).</summary>
    public static int MaxBlobBytes => RoomPolicy.MaxSize;

    public static int MaxSize => 5 + 1 + RoomNames.MaxBytes + 2 + MaxBlobBytes;

    /// <summary>The op's argument: a policy, an invite, a device ID, or nothing.</summary>
    public byte[] Blob { get; init; } = [];

    public static RoomCommand Of(uint commandId, RoomOp op, string room, byte[] blob) => new(commandId, op, room) { Blob = blob };

    /// <summary>The blob as a device ID (Remove), if it is one.</summary>
    public bool TryReadDevice(out DeviceId device)
    {
        device = Blob.Length == DeviceId.Size ? new DeviceId(Blob) : default;
        return Blob.Length == DeviceId.Size;
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomCommand message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryRead(out var op) || op is < (byte)RoomOp.Create or > (byte)RoomOp.Policy
            || !reader.TryReadRoom(out var room) || !reader.TryReadBlob16(MaxBlobBytes, out var blob) || reader.Remaining != 0)
        {
            error = "no command ID, an unknown op, not a room name, or a blob that does not match its length";
            return false;
        }
        message = new RoomCommand(id, (RoomOp)op, room) { Blob = blob };
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(CommandId);
        output.WriteU8((byte)Op);
        output.WriteRoom(Room);
        output.WriteBlob16(Blob);
    }
}
