using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Cluster;

/// <summary>One participant of a room's call as its hub numbers it.</summary>
public readonly record struct ClusterRoomCallParticipant(ushort Id, DeviceId Device, RoomCallMedia Media);

/// <summary>
/// One hub's part of a room's call, as it keeps it in the cluster's KV bucket <c>parley-room-calls</c>
/// (key <c>INSTANCE.ROOM</c>, put on every join and leave and refreshed within the TTL, deleted when its
/// last participant leaves): the hub's own call ID for the room, where its bridge socket takes the
/// others' media (<see cref="RoomCallBridgePacket"/>), and its participants. Read back as untrusted bytes.
/// <code>
/// ClusterRoomCall: hub instance u64 | room text8 | call ID u32 | endpoint count u8 (1 to 16) | endpoints (text8 "address:port" each)
///   | participant count u8 (1 to 64) | participants (ID u16 | device (32) | media u8, each)
/// </code>
/// </summary>
public sealed record ClusterRoomCall(ulong Instance, string Room, uint CallId, IReadOnlyList<IPEndPoint> Endpoints,
    IReadOnlyList<ClusterRoomCallParticipant> Participants) : IWireMessage<ClusterRoomCall>
{
    /// <summary>Most participants one hub's entry lists (a hub takes 32 by default). 64.</summary>
    public const int MaxParticipants = 64;

    /// <summary>The KV revision it was read at (not on the wire): any hub's later put has a higher one (the room call compares when each hub first listed a device).</summary>
    public ulong Revision { get; init; }

    public static int MaxSize => 8 + 1 + RoomNames.MaxBytes + 4 + 1 + Invite.MaxAddresses * (1 + ClusterRelayAsk.MaxEndpointBytes)
        + 1 + MaxParticipants * (2 + DeviceId.Size + 1);

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ClusterRoomCall message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU64(out var instance) || !reader.TryReadRoom(out var room) || !reader.TryReadU32(out var call) || call == 0
            || !reader.TryRead(out var endpointCount) || endpointCount is 0 or > Invite.MaxAddresses)
        {
            error = "truncated, a zero call ID, or no endpoints or too many";
            return false;
        }
        var endpoints = new List<IPEndPoint>(endpointCount);
        for (var i = 0; i < endpointCount; i++)
        {
            if (!reader.TryReadText8(ClusterRelayAsk.MaxEndpointBytes, out var text) || !IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port == 0)
            {
                error = "an endpoint is not address:port";
                return false;
            }
            endpoints.Add(endpoint);
        }
        if (!reader.TryRead(out var count) || count is 0 or > MaxParticipants)
        {
            error = $"no participants, or more than {MaxParticipants}";
            return false;
        }
        var participants = new List<ClusterRoomCallParticipant>(count);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadU16(out var id) || id == 0 || !reader.TryReadDevice(out var device) || !reader.TryRead(out var media)
                || (media & (byte)RoomCallMedia.Audio) == 0 || media > 3)
            {
                error = "a participant is not an ID, a device and media";
                return false;
            }
            participants.Add(new ClusterRoomCallParticipant(id, device, (RoomCallMedia)media));
        }
        if (reader.Remaining != 0)
        {
            error = "bytes after the participants";
            return false;
        }
        message = new ClusterRoomCall(instance, room, call, endpoints, participants);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU64(Instance);
        output.WriteRoom(Room);
        output.WriteU32(CallId);
        output.WriteU8((byte)Endpoints.Count);
        foreach (var endpoint in Endpoints)
        {
            output.WriteText8(endpoint.ToString(), ClusterRelayAsk.MaxEndpointBytes);
        }
        output.WriteU8((byte)Participants.Count);
        foreach (var participant in Participants)
        {
            output.WriteU16(participant.Id);
            output.WriteDevice(participant.Device);
            output.WriteU8((byte)participant.Media);
        }
    }
}

/// <summary>
/// A participant's sealed frame key (<see cref="RoomCallKey"/>) for a participant on another hub: sent on
/// the NATS subject <c>parley.roomcall.INSTANCE</c> of the recipient's hub, which passes it on naming the
/// sender by its own number for it. Ciphertext end to end (sealed to the recipient's agreement key).
/// <code>
/// ClusterRoomCallKey: sender's hub instance u64 | sender's hub's call ID u32 | recipient's hub's call ID u32
///   | sender u16 (its hub's number) | recipient u16 (its hub's number) | sealed length u16 | sealed item (at most 1,024)
/// </code>
/// </summary>
public sealed record ClusterRoomCallKey(ulong FromInstance, uint FromCall, uint ToCall, ushort Sender, ushort Recipient, byte[] Sealed)
    : IWireMessage<ClusterRoomCallKey>
{
    public static int MaxSize => 8 + 4 + 4 + 2 + 2 + 2 + RoomCallKey.MaxSealedBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ClusterRoomCallKey message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU64(out var instance) || !reader.TryReadU32(out var fromCall) || !reader.TryReadU32(out var toCall) || !reader.TryReadU16(out var sender)
            || !reader.TryReadU16(out var recipient) || !reader.TryReadBlob16(RoomCallKey.MaxSealedBytes, out var item) || item.Length == 0 || reader.Remaining != 0)
        {
            error = $"a cluster room call key is two hubs' calls, two participants and a sealed item of at most {RoomCallKey.MaxSealedBytes} bytes";
            return false;
        }
        message = new ClusterRoomCallKey(instance, fromCall, toCall, sender, recipient, item);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU64(FromInstance);
        output.WriteU32(FromCall);
        output.WriteU32(ToCall);
        output.WriteU16(Sender);
        output.WriteU16(Recipient);
        output.WriteBlob16(Sealed);
    }
}
