using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Cluster;

/// <summary>What a change to a room's membership or rules did, as one hub of a cluster tells the others.</summary>
public enum ClusterRoomOp : byte
{
    /// <summary>The room was made by <see cref="ClusterRoomChange.Device"/>; blob: its first policy.</summary>
    Created = 1,

    /// <summary>The device is a member under <see cref="ClusterRoomChange.Name"/>; blob: the proof it is in by.</summary>
    Member = 2,

    /// <summary>The device is no longer a member.</summary>
    Gone = 3,

    /// <summary>An owner removed the device: its invites go and the invite it came by (blob) no longer admits it.</summary>
    Removed = 4,

    /// <summary>The room's next signed policy (blob).</summary>
    Policy = 5,

    /// <summary>An owner's invite for one device (blob), kept until it expires.</summary>
    Invite = 6,
}

/// <summary>
/// One change to a room that a cluster hub made, put in JetStream for the other hubs to make too
/// (rooms, members, policies, invites are kept by every hub). Read back as untrusted bytes.
/// <code>
/// ClusterRoomChange: hub instance u64 | op u8 | room (text8) | device (32) | name (text8) | blob16 (policy, proof or invite)
/// </code>
/// </summary>
public sealed record ClusterRoomChange(ulong HubInstance, ClusterRoomOp Op, string Room, DeviceId Device, string Name, byte[] Blob)
    : IWireMessage<ClusterRoomChange>
{
    public static int MaxSize => 8 + 1 + 1 + RoomNames.MaxBytes + DeviceId.Size + 1 + ProtocolLimits.MaxNameBytes + 2 + RoomCommand.MaxBlobBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ClusterRoomChange message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU64(out var instance) || !reader.TryRead(out var op) || op is < 1 or > 6 || !reader.TryReadRoom(out var room)
            || !reader.TryReadDevice(out var device) || !reader.TryReadText8(ProtocolLimits.MaxNameBytes, out var name)
            || !reader.TryReadBlob16(RoomCommand.MaxBlobBytes, out var blob))
        {
            error = "truncated, or an unknown op, room name or blob too long";
            return false;
        }
        if (reader.Remaining != 0)
        {
            error = "bytes after the blob";
            return false;
        }
        message = new ClusterRoomChange(instance, (ClusterRoomOp)op, room, device, name, blob);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU64(HubInstance);
        output.WriteU8((byte)Op);
        output.WriteRoom(Room);
        output.WriteDevice(Device);
        output.WriteText8(Name, ProtocolLimits.MaxNameBytes);
        output.WriteBlob16(Blob);
    }
}
