using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>What a <see cref="RoomNotice"/> tells.</summary>
public enum RoomNoticeKind : byte
{
    /// <summary>The member joined; the proof is the invite it joined with (empty: an owner, or the room is public).</summary>
    Joined = 1,
    Left = 2,

    /// <summary>An owner ("by") removed the member.</summary>
    Removed = 3,

    /// <summary>Sent to the invitee only: an owner ("by") invited it; the proof is the invite.</summary>
    Invited = 4,

    /// <summary>An owner ("by", also the member) set a new policy; the proof is the signed <see cref="RoomPolicy"/>.</summary>
    Policy = 5,
}

/// <summary>
/// A change in a room we are in (or are invited to), with what proves it was allowed, so each member
/// checks it before it hands its sender key to anyone: the invite a joiner came with, or the signed
/// policy. A join, leave or removal replaces every member's sender key.
/// <code>
/// RoomNotice: kind u8 | name length u8 | room | member (32) | member name length u8 | member name
///           | by (32) | by name length u8 | by name | proof length u16 | proof (an invite or a policy; may be empty)
/// </code>
/// </summary>
public sealed record RoomNotice(RoomNoticeKind Kind, string Room, DeviceId Member, string Name) : IWireMessage<RoomNotice>
{
    /// <summary>The largest proof: a policy.</summary>
    public static int MaxProofBytes => RoomPolicy.MaxSize;

    public static int MaxSize => 2 + RoomNames.MaxBytes + 2 * (DeviceId.Size + 1 + ProtocolLimits.MaxNameBytes) + 2 + MaxProofBytes;

    /// <summary>Who made the change (an owner removing, inviting or setting the policy), or the member itself.</summary>
    public DeviceId By { get; init; }

    public string ByName { get; init; } = "";

    public byte[] Proof { get; init; } = [];

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomNotice message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryRead(out var kind) || kind is < (byte)RoomNoticeKind.Joined or > (byte)RoomNoticeKind.Policy
            || !reader.TryReadRoom(out var room) || !reader.TryReadDevice(out var member) || !reader.TryReadText8(ProtocolLimits.MaxNameBytes, out var name)
            || !reader.TryReadDevice(out var by) || !reader.TryReadText8(ProtocolLimits.MaxNameBytes, out var byName)
            || !reader.TryReadBlob16(MaxProofBytes, out var proof) || reader.Remaining != 0)
        {
            error = "an unknown kind, truncated, not a room name, or trailing bytes";
            return false;
        }
        message = new RoomNotice((RoomNoticeKind)kind, room, member, name) { By = by, ByName = byName, Proof = proof };
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU8((byte)Kind);
        output.WriteRoom(Room);
        output.WriteDevice(Member);
        output.WriteText8(Name, ProtocolLimits.MaxNameBytes);
        output.WriteDevice(By);
        output.WriteText8(ByName, ProtocolLimits.MaxNameBytes);
        output.WriteBlob16(Proof);
    }
}
