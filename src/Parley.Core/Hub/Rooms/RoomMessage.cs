using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A member's message to a room, which the hub fans out to the other members without reading it.
/// <code>
/// RoomMessage: name length u8 | room | sender (32) | sealed message (see SealedRoomMessage; at least one byte)
/// </code>
/// </summary>
public sealed record RoomMessage(string Room, DeviceId Sender, byte[] SealedMessage) : IWireMessage<RoomMessage>
{
    public static int MaxSize => 1 + RoomNames.MaxBytes + DeviceId.Size + SealedRoomMessage.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomMessage message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadDevice(out var sender) || reader.Remaining == 0)
        {
            error = "truncated, not a room name, or no sealed message";
            return false;
        }
        message = new RoomMessage(room, sender, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteDevice(Sender);
        output.Write(SealedMessage);
    }
}
