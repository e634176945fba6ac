using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// A sender key as one member hands it to another, inside a mailbox seal (so only that member reads it):
/// the chain link of message <c>start</c>, which opens that message and every later one under the key.
/// <code>
/// key item: "PRK2" | room length u8 | room (ASCII) | key ID u32 | start u64 | link (32)
/// </code>
/// </summary>
public sealed record SenderKeyItem(string Room, uint KeyId, ulong Start, byte[] Link) : IWireMessage<SenderKeyItem>
{
    public const int KeySize = KeyChain.LinkSize;

    private static ReadOnlySpan<byte> Magic => "PRK2"u8;

    public static int MaxSize => 4 + 1 + RoomNames.MaxBytes + 4 + 8 + KeySize;

    /// <summary>The whole key, from its first message.</summary>
    public static SenderKeyItem Of(string room, SenderKey key) => new(room, key.KeyId, 1, key.FirstLink);

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out SenderKeyItem message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.IsNext(Magic, advancePast: true) || !reader.TryRead(out var roomLength) || !reader.TryReadBytes(roomLength, out var room)
            || !reader.TryReadU32(out var keyId) || !reader.TryReadU64(out var start) || start == 0
            || !reader.TryReadBytes(KeySize, out var link) || reader.Remaining != 0)
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
        message = new SenderKeyItem(name, keyId, start, link);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.Write(Magic);
        output.WriteRoom(Room);
        output.WriteU32(KeyId);
        output.WriteU64(Start);
        output.Write(Link);
    }
}
