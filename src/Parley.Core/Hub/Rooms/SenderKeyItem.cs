using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A sender key as one member hands it to another, inside a mailbox seal (so only that member reads it).
/// <code>
/// key item: "PRK1" | room length u8 | room (ASCII) | key ID u32 | key (32)
/// </code>
/// </summary>
public sealed record SenderKeyItem(string Room, uint KeyId, byte[] Key) : IWireMessage<SenderKeyItem>
{
    public const int KeySize = 32;

    private static ReadOnlySpan<byte> Magic => "PRK1"u8;

    public static int MaxSize => 4 + 1 + RoomNames.MaxBytes + 4 + KeySize;

    public static SenderKeyItem Of(string room, SenderKey key) => new(room, key.KeyId, key.Key);

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out SenderKeyItem message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.IsNext(Magic, advancePast: true) || !reader.TryRead(out var roomLength) || !reader.TryReadBytes(roomLength, out var room)
            || !reader.TryReadU32(out var keyId) || !reader.TryReadBytes(KeySize, out var key) || reader.Remaining != 0)
        {
            error = "not a sender key item";
            return false;
        }
        var name = Encoding.ASCII.GetString(room);
        if (!RoomNames.IsValid(name))
        {
            error = "not a room name";
            return false;
        }
        message = new SenderKeyItem(name, keyId, key);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.Write(Magic);
        output.WriteRoom(Room);
        output.WriteU32(KeyId);
        output.Write(Key);
    }
}
