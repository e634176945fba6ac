using Parley.Core.Hub.Relay;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>The frames of room calls between a node and its hub's forwarding unit (media itself goes over UDP when it can).</summary>
public static class RoomCallFrames
{
    /// <summary>What a member sends the hub.</summary>
    public static IReadOnlyList<FrameSpec> ToHub { get; } =
    [
        FrameSpec.Of<RoomCallJoin>(FrameType.RoomCallJoin),
        FrameSpec.Of<RoomCallLeave>(FrameType.RoomCallLeave),
        FrameSpec.Of<RoomCallPacket>(FrameType.RoomCallPacket),
        FrameSpec.Of<RoomCallKey>(FrameType.RoomCallKey),
    ];

    /// <summary>What the hub sends members (packets and keys go both ways).</summary>
    public static IReadOnlyList<FrameSpec> FromHub { get; } =
    [
        FrameSpec.Of<RoomCallJoined>(FrameType.RoomCallJoined),
        FrameSpec.Of<RelayRefused>(FrameType.RoomCallRefused),
        FrameSpec.Of<RoomCallNotice>(FrameType.RoomCallNotice),
        FrameSpec.Of<RoomCallPacket>(FrameType.RoomCallPacket),
        FrameSpec.Of<RoomCallKey>(FrameType.RoomCallKey),
    ];

    public static IReadOnlyList<FrameSpec> Specs { get; } = [.. ToHub, .. FromHub.Where(f => !ToHub.Any(t => t.Type == f.Type))];
}
