using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>One member's place in a room's log: where it joined and how far it has stored.</summary>
public readonly record struct RoomReceipt(DeviceId Member, ulong Joined, ulong Position);

/// <summary>
/// Members' read positions, from the hub to the room's members: all of them when a member syncs, then
/// those that moved, at most a few times a second. A sender counts "delivered to 2 of 3" from them.
/// <code>
/// RoomReceipts: name length u8 | room | count u16 | per member: device ID (32) | joined seq u64 | position u64
/// </code>
/// </summary>
public sealed record RoomReceipts(string Room, IReadOnlyList<RoomReceipt> Receipts) : IWireMessage<RoomReceipts>
{
    private const int ItemSize = DeviceId.Size + 16;

    /// <summary>Receipts one frame carries (the hub sends more frames for bigger rooms). 1,000.</summary>
    public const int MaxReceipts = 1000;

    public static int MaxSize => 1 + RoomNames.MaxBytes + 2 + MaxReceipts * ItemSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomReceipts message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadU16(out var count) || count > MaxReceipts || reader.Remaining != count * ItemSize)
        {
            error = "truncated, too many receipts, or a length that does not match";
            return false;
        }
        var receipts = new RoomReceipt[count];
        for (var i = 0; i < count; i++)
        {
            reader.TryReadDevice(out var member);
            reader.TryReadU64(out var joined);
            reader.TryReadU64(out var position);
            receipts[i] = new RoomReceipt(member, joined, position);
        }
        message = new RoomReceipts(room, receipts);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteU16((ushort)Receipts.Count);
        foreach (var receipt in Receipts)
        {
            output.WriteDevice(receipt.Member);
            output.WriteU64(receipt.Joined);
            output.WriteU64(receipt.Position);
        }
    }
}
