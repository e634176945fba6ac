using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A place in a room's log. As a RoomAck frame: the member has stored every entry up to it (its read
/// position, which delivery counts come from). As a RoomSync frame: send me the entries after it, then
/// the live ones (the hub starts no earlier than the member's own join).
/// <code>
/// RoomPosition: name length u8 | room | seq u64
/// </code>
/// </summary>
public sealed record RoomPosition(string Room, ulong Seq) : IWireMessage<RoomPosition>
{
    public static int MaxSize => 1 + RoomNames.MaxBytes + 8;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomPosition message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadU64(out var seq) || reader.Remaining != 0)
        {
            error = "truncated, or not a room name";
            return false;
        }
        message = new RoomPosition(room, seq);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteU64(Seq);
    }
}

/// <summary>
/// The hub's first answer to a RoomSync: where the member's part of the log starts and ends now. Entries
/// up to <see cref="Head"/> are catch-up; later ones are live.
/// <code>
/// RoomSyncState: name length u8 | room | joined seq u64 | oldest kept seq u64 | head seq u64
/// </code>
/// </summary>
public sealed record RoomSyncState(string Room, ulong Joined, ulong Oldest, ulong Head) : IWireMessage<RoomSyncState>
{
    public static int MaxSize => 1 + RoomNames.MaxBytes + 24;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomSyncState message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadU64(out var joined) || !reader.TryReadU64(out var oldest)
            || !reader.TryReadU64(out var head) || reader.Remaining != 0)
        {
            error = "truncated, or not a room name";
            return false;
        }
        message = new RoomSyncState(room, joined, oldest, head);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteU64(Joined);
        output.WriteU64(Oldest);
        output.WriteU64(Head);
    }
}
