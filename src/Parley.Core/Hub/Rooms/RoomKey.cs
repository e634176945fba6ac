using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A member's new sender key for a room, sealed to one other member (a <see cref="SenderKeyItem"/> inside a
/// mailbox seal); the hub passes it on only between members of the room.
/// <code>
/// RoomKey: name length u8 | room | from (32) | to (32) | item length u16 | item (sealed to "to")
/// </code>
/// </summary>
public sealed record RoomKey(string Room, DeviceId From, DeviceId To, byte[] Item) : IWireMessage<RoomKey>
{
    public const int MaxItemBytes = 2048;

    public static int MaxSize => 1 + RoomNames.MaxBytes + DeviceId.Size * 2 + 2 + MaxItemBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomKey message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadDevice(out var from) || !reader.TryReadDevice(out var to)
            || !reader.TryReadU16(out var length) || reader.Remaining != length)
        {
            error = "truncated, not a room name, or an item length that does not match";
            return false;
        }
        message = new RoomKey(room, from, to, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteDevice(From);
        output.WriteDevice(To);
        output.WriteBlob16(Item);
    }
}
