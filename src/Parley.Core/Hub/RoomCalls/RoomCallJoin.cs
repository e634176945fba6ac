using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Hub.Rooms;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>What a participant sends in a room call (the hub counts video and audio participants apart).</summary>
[Flags]
public enum RoomCallMedia : byte
{
    Audio = 1,
    Video = 2,
}

/// <summary>
/// A room member asks its hub to join (or start) the room's call. The hub answers with a
/// <see cref="RoomCallJoined"/> or, refusing, a <see cref="Relay.RelayRefused"/> with the same request ID.
/// <code>
/// RoomCallJoin: request ID u32 | name length u8 | room name | media u8 (1 audio, 2 video; audio is required)
/// </code>
/// </summary>
public sealed record RoomCallJoin(uint RequestId, string Room, RoomCallMedia Media) : IWireMessage<RoomCallJoin>
{
    public static int MaxSize => 4 + 1 + RoomNames.MaxBytes + 1;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomCallJoin message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadRoom(out var room) || !reader.TryRead(out var media) || reader.Remaining != 0
            || (media & (byte)RoomCallMedia.Audio) == 0 || (media & ~(byte)(RoomCallMedia.Audio | RoomCallMedia.Video)) != 0)
        {
            error = "a room call join is a request ID, a room name and media (audio, and maybe video)";
            return false;
        }
        message = new RoomCallJoin(id, room, (RoomCallMedia)media);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.WriteRoom(Room);
        output.WriteU8((byte)Media);
    }
}
