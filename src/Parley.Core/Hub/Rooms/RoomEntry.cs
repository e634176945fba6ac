using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>What one entry of a room's log holds.</summary>
public enum RoomEntryKind : byte
{
    /// <summary>A member's sealed message (body: the sealed message).</summary>
    Message = 1,

    /// <summary>Someone came or went (body: a <see cref="RoomNotice"/>).</summary>
    Notice = 2,

    /// <summary>Entries the hub no longer holds, dropped by its retention (body: first u64 | last u64, the missing sequence numbers).</summary>
    Gap = 3,
}

/// <summary>
/// One entry of a room's log as the hub hands it to a member, live or while the member catches up:
/// entries reach each member in sequence order, with none missing (a <see cref="RoomEntryKind.Gap"/>
/// says where retention dropped some). The hub cannot read a message's body.
/// <code>
/// RoomEntry: name length u8 | room | seq u64 | stored at (unix ms) u64 | kind u8 | sender (32) | body length u32 | body
/// </code>
/// </summary>
public sealed record RoomEntry(string Room, ulong Seq, DateTimeOffset At, RoomEntryKind Kind, DeviceId Sender, byte[] Body) : IWireMessage<RoomEntry>
{
    public static int MaxSize => 1 + RoomNames.MaxBytes + 8 + 8 + 1 + DeviceId.Size + 4 + SealedRoomMessage.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomEntry message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadU64(out var seq) || !reader.TryReadUnixMs(out var at)
            || !reader.TryRead(out var kind) || kind is < (byte)RoomEntryKind.Message or > (byte)RoomEntryKind.Gap
            || !reader.TryReadDevice(out var sender) || !reader.TryReadU32(out var length) || length != reader.Remaining)
        {
            error = "truncated, an unknown kind, or a body length that does not match";
            return false;
        }
        message = new RoomEntry(room, seq, at, (RoomEntryKind)kind, sender, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteU64(Seq);
        output.WriteUnixMs(At);
        output.WriteU8((byte)Kind);
        output.WriteDevice(Sender);
        output.WriteU32((uint)Body.Length);
        output.Write(Body);
    }
}
