using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>A room member as the hub reports it, with the proof it was let in by (the invite it joined with, or empty: an owner, or the room was public).</summary>
public sealed record RoomMember(DeviceId DeviceId, string Name, bool Online)
{
    public byte[] Proof { get; init; } = [];
}

/// <summary>A room as the hub lists it: public or invite-only, its topic, how many members it has.</summary>
public sealed record RoomListing(string Name, bool Public, string Topic, int Members);

/// <summary>
/// The hub's answer to a <see cref="RoomCommand"/>. The frame does not say which list it carries, the
/// command did: List is answered with room names (<see cref="RoomListReply"/>), every other op with the
/// room's members (<see cref="RoomMembersReply"/>). Both start alike, so the asker finds its command by
/// <see cref="TryReadCommandId"/> and then reads the shape it asked for.
/// <code>
/// RoomReply: command ID u32 | ok u8 | reason length u8 | reason | count u16 | per item:
///            name length u8, name, public u8, members u16, topic length u16, topic (List: rooms)
///            or device ID (32), online u8, name length u8, name, proof length u16, proof (the others: members)
///            | then, for the others only: policy length u16 | policy (the room's signed RoomPolicy; empty when refused)
/// </code>
/// </summary>
public static class RoomReply
{
    /// <summary>Up to 1,000 members with their invites (about 400 KiB) or 3,000 rooms with their topics: a frame's whole payload.</summary>
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

/// <summary>The answer to <see cref="RoomOp.List"/>: the hub's rooms (see <see cref="RoomReply"/> for the layout).</summary>
public sealed record RoomListReply(uint CommandId, string? Error, IReadOnlyList<RoomListing> Rooms) : IWireMessage<RoomListReply>
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
        var rooms = new List<RoomListing>(Math.Min((int)count, 1024));
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadRoom(out var room) || !reader.TryRead(out var isPublic) || isPublic > 1 || !reader.TryReadU16(out var members)
                || !reader.TryReadBlob16(RoomPolicy.MaxTopicBytes, out var topicBytes) || !PayloadText.TryDecode(topicBytes, out var topic))
            {
                error = $"room {i} is malformed";
                return false;
            }
            rooms.Add(new RoomListing(room, isPublic == 1, topic, members));
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
            output.WriteRoom(room.Name);
            output.WriteU8(room.Public ? (byte)1 : (byte)0);
            output.WriteU16((ushort)Math.Min(room.Members, ushort.MaxValue));
            output.WriteBlob16(PayloadText.Truncate(room.Topic, RoomPolicy.MaxTopicBytes));
        }
    }
}

/// <summary>The answer to every op but List: the room's members and its policy, or why not (see <see cref="RoomReply"/> for the layout).</summary>
public sealed record RoomMembersReply(uint CommandId, string? Error, IReadOnlyList<RoomMember> Members) : IWireMessage<RoomMembersReply>
{
    public static int MaxSize => RoomReply.MaxSize;

    /// <summary>The room's signed policy as the hub holds it (empty when refused, or for a room made before policies).</summary>
    public byte[] Policy { get; init; } = [];

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
            if (!reader.TryReadDevice(out var device) || !reader.TryRead(out var online) || online > 1 || !reader.TryReadText8(ProtocolLimits.MaxNameBytes, out var name)
                || !reader.TryReadBlob16(RoomInvite.MaxSize, out var proof))
            {
                error = $"member {i} is malformed";
                return false;
            }
            members.Add(new RoomMember(device, name, online == 1) { Proof = proof });
        }
        if (!reader.TryReadBlob16(RoomPolicy.MaxSize, out var policy) || reader.Remaining != 0)
        {
            error = "no policy after the last member, or bytes after it";
            return false;
        }
        message = new RoomMembersReply(id, refusal, members) { Policy = policy };
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
            output.WriteText8(member.Name, ProtocolLimits.MaxNameBytes);
            output.WriteBlob16(member.Proof);
        }
        output.WriteBlob16(Policy);
    }
}
