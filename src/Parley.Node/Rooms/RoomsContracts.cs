using Parley.Core.Hub.Rooms;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>Event types of rooms. A room's messages are <c>message</c> events, as 1:1 ones (<see cref="Chat.MessageView"/> with its room and sender).</summary>
[EventNames]
public static class RoomsEvents
{
    /// <summary>Someone joined or left a room we are in (<see cref="RoomNoticeEvent"/>).</summary>
    public const string Notice = "room.notice";
}

/// <summary><c>POST /api/rooms</c>: the room to create.</summary>
public sealed record RoomRequest(string? Name);

/// <summary><c>GET /api/rooms</c>: the hub's rooms and the ones we are in, each as "#name".</summary>
public sealed record RoomsReply(IReadOnlyList<string> Rooms, IReadOnlyList<string> Joined);

/// <summary>A room member, as <c>POST /api/rooms</c>, <c>…/join</c> and <c>GET …/members</c> list them.</summary>
public sealed record RoomMemberView(string DeviceId, string Name, bool Online)
{
    internal static IReadOnlyList<RoomMemberView> List(IEnumerable<RoomMember> members) =>
        [.. members.Select(m => new RoomMemberView(m.DeviceId.ToString(), m.Name, m.Online))];
}

/// <summary><c>POST /api/rooms/{room}/leave</c>: the room left, as "#name".</summary>
public sealed record RoomLeftReply(string Left);

/// <summary>The data of <c>room.notice</c>.</summary>
public sealed record RoomNoticeEvent(string Room, string DeviceId, string Name, bool Joined);
