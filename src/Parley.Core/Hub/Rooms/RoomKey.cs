using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A member's new sender key for a room, sealed to one other member (a <see cref="SenderKeyItem"/> inside a
/// mailbox seal); the hub passes it on only between members of the room, and keeps it until "to"
/// acknowledges it (a <see cref="RoomKeyRef"/> in a RoomKeyAck frame), sending it again on each reconnect.
/// The key ID is in the clear so the hub can match the acknowledgement (it is in every sealed message's header too).
/// <code>
/// RoomKey: name length u8 | room | from (32) | to (32) | key ID u32 | item length u16 | item (sealed to "to")
/// </code>
/// </summary>
public sealed record RoomKey(string Room, DeviceId From, DeviceId To, uint KeyId, byte[] Item) : IWireMessage<RoomKey>
{
    public const int MaxItemBytes = 2048;

    public static int MaxSize => 1 + RoomNames.MaxBytes + DeviceId.Size * 2 + 4 + 2 + MaxItemBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomKey message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadDevice(out var from) || !reader.TryReadDevice(out var to)
            || !reader.TryReadU32(out var keyId) || !reader.TryReadU16(out var length) || length > MaxItemBytes || reader.Remaining != length)
        {
            error = "truncated, not a room name, or an item length that does not match";
            return false;
        }
        message = new RoomKey(room, from, to, keyId, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteDevice(From);
        output.WriteDevice(To);
        output.WriteU32(KeyId);
        output.WriteBlob16(Item);
    }
}
