using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// Names one sender key of one member. As a RoomKeyAck frame (member → hub): <see cref="Member"/> has
/// stored <see cref="Owner"/>'s key, so the hub may forget it. As a RoomKeyRequest frame (member → hub →
/// owner): <see cref="Member"/> holds message <see cref="Counter"/> under this key and cannot open it;
/// the owner answers with a <see cref="RoomKey"/> from that message on, if the member was in the room
/// when it was sent.
/// <code>
/// RoomKeyRef: name length u8 | room | owner (32) | member (32) | key ID u32 | counter u64
/// </code>
/// </summary>
public sealed record RoomKeyRef(string Room, DeviceId Owner, DeviceId Member, uint KeyId, ulong Counter) : IWireMessage<RoomKeyRef>
{
    public static int MaxSize => 1 + RoomNames.MaxBytes + DeviceId.Size * 2 + 12;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomKeyRef message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadDevice(out var owner) || !reader.TryReadDevice(out var member)
            || !reader.TryReadU32(out var keyId) || !reader.TryReadU64(out var counter) || reader.Remaining != 0)
        {
            error = "truncated, or not a room name";
            return false;
        }
        message = new RoomKeyRef(room, owner, member, keyId, counter);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteDevice(Owner);
        output.WriteDevice(Member);
        output.WriteU32(KeyId);
        output.WriteU64(Counter);
    }
}
