using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub;

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
}

public enum RoomOp : byte
{
    Create = 1,
    Join = 2,
    Leave = 3,
    List = 4,
    Members = 5,
}

/// <summary>A room member as the hub reports it.</summary>
public sealed record RoomMember(DeviceId DeviceId, string Name, bool Online);

/// <summary>
/// The room frames. Everything a room's members say to each other is end-to-end encrypted: the hub
/// only sees room names, who is in them, and opaque bytes.
/// <code>
/// RoomCommand: command ID u32 | op u8 | name length u8 | name
/// RoomReply:   command ID u32 | ok u8 | reason length u8 | reason | count u16 | per item: name length u8, name
///              (List: room names) or device ID (32), online u8, name length u8, name (the others)
/// RoomNotice:  joined u8 | name length u8 | room | device ID (32) | member name length u8 | member name
/// RoomKey:     name length u8 | room | from (32) | to (32) | item length u16 | item (sealed to "to")
/// RoomMessage: name length u8 | room | sender (32) | sealed message (see RoomCrypto)
/// </code>
/// </summary>
public static class RoomMessages
{
    public static byte[] Command(uint id, RoomOp op, string room) => [.. U32(id), (byte)op, .. Name(room)];

    public static bool TryDecodeCommand(ReadOnlySequence<byte> payload, out uint id, out RoomOp op, out string room)
    {
        var reader = new SequenceReader<byte>(payload);
        op = default;
        room = "";
        if (!reader.TryReadBigEndian(out int raw) || !reader.TryRead(out var rawOp) || rawOp is < 1 or > 5 || !TryReadName(ref reader, out room))
        {
            id = 0;
            return false;
        }
        id = (uint)raw;
        op = (RoomOp)rawOp;
        return reader.Remaining == 0;
    }

    public static byte[] Reply(uint id, string? error, IReadOnlyList<string>? rooms, IReadOnlyList<RoomMember>? members)
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(U32(id));
        writer.Write([error is null ? (byte)1 : (byte)0]);
        writer.Write(Text8(error ?? ""));
        var count = (ushort)(rooms?.Count ?? members?.Count ?? 0);
        var countBytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(countBytes, count);
        writer.Write(countBytes);
        foreach (var room in rooms ?? [])
        {
            writer.Write(Name(room));
        }
        foreach (var member in members ?? [])
        {
            writer.Write(member.DeviceId.Bytes);
            writer.Write([member.Online ? (byte)1 : (byte)0]);
            writer.Write(Text8(member.Name));
        }
        return writer.WrittenSpan.ToArray();
    }

    public static bool TryDecodeReply(ReadOnlySequence<byte> payload, bool isList, out uint id, out string? error, out List<string> rooms, out List<RoomMember> members)
    {
        var reader = new SequenceReader<byte>(payload);
        rooms = [];
        members = [];
        error = null;
        id = 0;
        if (!reader.TryReadBigEndian(out int raw) || !reader.TryRead(out var ok) || !TryReadText8(ref reader, out var reason) || !reader.TryReadBigEndian(out short rawCount))
        {
            return false;
        }
        id = (uint)raw;
        error = ok == 1 ? null : reason;
        for (var i = 0; i < (ushort)rawCount; i++)
        {
            if (isList)
            {
                if (!TryReadName(ref reader, out var room))
                {
                    return false;
                }
                rooms.Add(room);
                continue;
            }
            if (!TryReadDevice(ref reader, out var device) || !reader.TryRead(out var online) || !TryReadText8(ref reader, out var name))
            {
                return false;
            }
            members.Add(new RoomMember(device, name, online == 1));
        }
        return reader.Remaining == 0;
    }

    public static byte[] Notice(bool joined, string room, DeviceId member, string name) => [joined ? (byte)1 : (byte)0, .. Name(room), .. member.Bytes, .. Text8(name)];

    public static bool TryDecodeNotice(ReadOnlySequence<byte> payload, out bool joined, out string room, out DeviceId member, out string name)
    {
        var reader = new SequenceReader<byte>(payload);
        joined = false;
        room = name = "";
        member = default;
        if (!reader.TryRead(out var kind) || kind > 1 || !TryReadName(ref reader, out room) || !TryReadDevice(ref reader, out member) || !TryReadText8(ref reader, out name))
        {
            return false;
        }
        joined = kind == 1;
        return reader.Remaining == 0;
    }

    public static byte[] Key(string room, DeviceId from, DeviceId to, byte[] item)
    {
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)item.Length);
        return [.. Name(room), .. from.Bytes, .. to.Bytes, .. length, .. item];
    }

    public static bool TryDecodeKey(ReadOnlySequence<byte> payload, out string room, out DeviceId from, out DeviceId to, out byte[] item)
    {
        var reader = new SequenceReader<byte>(payload);
        item = [];
        from = to = default;
        if (!TryReadName(ref reader, out room) || !TryReadDevice(ref reader, out from) || !TryReadDevice(ref reader, out to)
            || !reader.TryReadBigEndian(out short rawLength) || reader.Remaining != (ushort)rawLength)
        {
            return false;
        }
        item = reader.UnreadSequence.ToArray();
        return true;
    }

    public static byte[] Message(string room, DeviceId sender, byte[] sealedMessage) => [.. Name(room), .. sender.Bytes, .. sealedMessage];

    public static bool TryDecodeMessage(ReadOnlySequence<byte> payload, out string room, out DeviceId sender, out byte[] sealedMessage)
    {
        var reader = new SequenceReader<byte>(payload);
        sealedMessage = [];
        sender = default;
        if (!TryReadName(ref reader, out room) || !TryReadDevice(ref reader, out sender))
        {
            return false;
        }
        sealedMessage = reader.UnreadSequence.ToArray();
        return sealedMessage.Length > 0;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Name(string room) => [(byte)Encoding.ASCII.GetByteCount(room), .. Encoding.ASCII.GetBytes(room)];

    private static byte[] Text8(string text)
    {
        var bytes = PayloadText.Truncate(text, 255);
        return [(byte)bytes.Length, .. bytes];
    }

    private static bool TryReadName(ref SequenceReader<byte> reader, out string room)
    {
        room = "";
        if (!TryReadText8(ref reader, out var text) || !RoomNames.IsValid(text))
        {
            return false;
        }
        room = text;
        return true;
    }

    private static bool TryReadText8(ref SequenceReader<byte> reader, out string text)
    {
        text = "";
        if (!reader.TryRead(out var length) || reader.Remaining < length)
        {
            return false;
        }
        var bytes = reader.UnreadSequence.Slice(0, length).ToArray();
        reader.Advance(length);
        return PayloadText.TryDecode(bytes, out text);
    }

    private static bool TryReadDevice(ref SequenceReader<byte> reader, out DeviceId id)
    {
        id = default;
        Span<byte> bytes = stackalloc byte[DeviceId.Size];
        if (!reader.TryCopyTo(bytes))
        {
            return false;
        }
        reader.Advance(DeviceId.Size);
        id = new DeviceId(bytes);
        return true;
    }
}
