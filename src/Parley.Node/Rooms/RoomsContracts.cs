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

    /// <summary>Members stored more of our messages: their delivery counts (<see cref="RoomDeliveryEvent"/>).</summary>
    public const string Delivery = "room.delivery";
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

/// <summary>One of our room messages' delivery count: delivered to <c>Delivered</c> of <c>Recipients</c> members.</summary>
public sealed record DeliveryCount(Guid Id, int Delivered, int Recipients);

/// <summary>The data of <c>room.delivery</c>.</summary>
public sealed record RoomDeliveryEvent(string Room, IReadOnlyList<DeliveryCount> Messages);

/// <summary>
/// <c>GET /api/rooms/{room}</c>: a room we are in: members, how many messages wait for a key, how many
/// were dropped as forged, and the first message caught up after being away (where "unread" starts).
/// </summary>
public sealed record RoomView(string Name, IReadOnlyList<RoomMemberView> Members, int Waiting, int Dropped, Guid? FirstUnread, long Position);
