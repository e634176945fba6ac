using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>A room member as the hub reports it.</summary>
public sealed record RoomMember(DeviceId DeviceId, string Name, bool Online);

/// <summary>
/// The hub's answer to a <see cref="RoomCommand"/>. The frame does not say which list it carries, the
/// command did: List is answered with room names (<see cref="RoomListReply"/>), every other op with the
/// room's members (<see cref="RoomMembersReply"/>). Both start alike, so the asker finds its command by
/// <see cref="TryReadCommandId"/> and then reads the shape it asked for.
/// <code>
/// RoomReply: command ID u32 | ok u8 | reason length u8 | reason | count u16 | per item:
///            name length u8, name (List: room names)
///            or device ID (32), online u8, name length u8, name (the others: members)
/// </code>
/// </summary>
public static class RoomReply
{
    /// <summary>Up to 1,000 members (about 100 KiB) or 10,000 room names: a frame's whole payload.</summary>
    public const int MaxSize = ProtocolLimits.MaxPayload;

    /// <summary>The command a reply answers: its first four bytes.</summary>
    public static bool TryReadCommandId(in ReadOnlySequence<byte> payload, out uint commandId)
    {
        var reader = new SequenceReader<byte>(payload);
        return reader.TryReadU32(out commandId);
    }

    /// <summary>Reads the head and the item count; the error is null when ok.</summary>
    internal static bool TryReadHead(ref SequenceReader<byte> reader, out uint commandId, out string? error, out ushort count)
    {
        error = null;
        count = 0;
        if (!reader.TryReadU32(out commandId) || !reader.TryRead(out var ok) || !reader.TryReadText8(byte.MaxValue, out var reason) || !reader.TryReadU16(out count))
        {
            return false;
        }
        error = ok == 1 ? null : reason;
        return true;
    }

    internal static void WriteHead(IBufferWriter<byte> output, uint commandId, string? error, int count)
    {
        output.WriteU32(commandId);
        output.WriteU8(error is null ? (byte)1 : (byte)0);
        output.WriteText8(error ?? "", byte.MaxValue);
        output.WriteU16((ushort)count);
    }
}

/// <summary>The answer to <see cref="RoomOp.List"/>: the hub's room names (see <see cref="RoomReply"/> for the layout).</summary>
public sealed record RoomListReply(uint CommandId, string? Error, IReadOnlyList<string> Rooms) : IWireMessage<RoomListReply>
{
    public static int MaxSize => RoomReply.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomListReply message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!RoomReply.TryReadHead(ref reader, out var id, out var refusal, out var count))
        {
            error = "truncated reply head";
            return false;
        }
        var rooms = new List<string>(Math.Min((int)count, 1024));
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadRoom(out var room))
            {
                error = $"room {i} is not a room name";
                return false;
            }
            rooms.Add(room);
        }
        if (reader.Remaining != 0)
        {
            error = "bytes after the last room";
            return false;
        }
        message = new RoomListReply(id, refusal, rooms);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        RoomReply.WriteHead(output, CommandId, Error, Rooms.Count);
        foreach (var room in Rooms)
        {
            output.WriteRoom(room);
        }
    }
}

/// <summary>The answer to every op but List: the room's members, or why not (see <see cref="RoomReply"/> for the layout).</summary>
public sealed record RoomMembersReply(uint CommandId, string? Error, IReadOnlyList<RoomMember> Members) : IWireMessage<RoomMembersReply>
{
    public static int MaxSize => RoomReply.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomMembersReply message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!RoomReply.TryReadHead(ref reader, out var id, out var refusal, out var count))
        {
            error = "truncated reply head";
            return false;
        }
        var members = new List<RoomMember>(Math.Min((int)count, 1024));
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadDevice(out var device) || !reader.TryRead(out var online) || !reader.TryReadText8(byte.MaxValue, out var name))
            {
                error = $"member {i} is malformed";
                return false;
            }
            members.Add(new RoomMember(device, name, online == 1));
        }
        if (reader.Remaining != 0)
        {
            error = "bytes after the last member";
            return false;
        }
        message = new RoomMembersReply(id, refusal, members);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        RoomReply.WriteHead(output, CommandId, Error, Members.Count);
        foreach (var member in Members)
        {
            output.WriteDevice(member.DeviceId);
            output.WriteU8(member.Online ? (byte)1 : (byte)0);
            output.WriteText8(member.Name, byte.MaxValue);
        }
    }
}
