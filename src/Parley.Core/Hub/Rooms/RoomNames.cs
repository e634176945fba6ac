using System.Buffers;
using System.Text;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>Room names: 1 to 32 of a–z, 0–9, '-' and '_' (so "#Team" and "#team" are one room, and no look-alikes).</summary>
public static class RoomNames
{
    public const int MaxBytes = 32;

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxBytes && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_');

    /// <summary>"#Team" → "team"; throws with the rule when it cannot be a room name.</summary>
    public static string Normalize(string text)
    {
        var name = text.TrimStart('#').Trim().ToLowerInvariant();
        return IsValid(name) ? name : throw new ArgumentException($"'{text}' is not a room name: use 1 to {MaxBytes} of a-z, 0-9, '-' and '_'");
    }

    /// <summary>name length u8 | name (ASCII), refused unless it is a valid room name.</summary>
    internal static bool TryReadRoom(this ref SequenceReader<byte> reader, out string room) =>
        reader.TryReadText8(byte.MaxValue, out room) && IsValid(room);

    internal static void WriteRoom(this IBufferWriter<byte> output, string room)
    {
        output.WriteU8((byte)Encoding.ASCII.GetByteCount(room));
        output.Write(Encoding.ASCII.GetBytes(room));
    }
}
