using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A member's message to a room: the hub stores it in the room's log (a <see cref="RoomEntry"/>), answers
/// the post with a <see cref="RoomPosted"/>, and hands it to the other members without reading it.
/// <code>
/// RoomMessage: post ID u32 | name length u8 | room | sender (32) | sealed message (see SealedRoomMessage; at least one byte)
/// </code>
/// </summary>
public sealed record RoomMessage(uint PostId, string Room, DeviceId Sender, byte[] SealedMessage) : IWireMessage<RoomMessage>
{
    public static int MaxSize => 4 + 1 + RoomNames.MaxBytes + DeviceId.Size + SealedRoomMessage.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomMessage message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var postId) || !reader.TryReadRoom(out var room) || !reader.TryReadDevice(out var sender) || reader.Remaining == 0)
        {
            error = "truncated, not a room name, or no sealed message";
            return false;
        }
        message = new RoomMessage(postId, room, sender, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(PostId);
        output.WriteRoom(Room);
        output.WriteDevice(Sender);
        output.Write(SealedMessage);
    }
}
