using Parley.Core.Hub.Rooms;
using Parley.Node.Events;

namespace Parley.Node.Rooms;

/// <summary>Event types of rooms. A room's messages are <c>message</c> events, as 1:1 ones (<see cref="Chat.MessageView"/> with its room and sender).</summary>
[EventNames]
public static class RoomsEvents
{
    /// <summary>A change in a room we are in or are invited to: joined, left, removed, invited, policy (<see cref="RoomNoticeEvent"/>).</summary>
    public const string Notice = "room.notice";

    /// <summary>Members stored more of our messages: their delivery counts (<see cref="RoomDeliveryEvent"/>).</summary>
    public const string Delivery = "room.delivery";
}

/// <summary><c>POST /api/rooms</c>: the room to create (invite-only unless <paramref name="Public"/>).</summary>
public sealed record RoomRequest(string? Name, bool? Public = null);

/// <summary>A room as <c>GET /api/rooms</c> lists it: public or invite-only, its topic, how many members, whether we are in it.</summary>
public sealed record RoomDetails(string Name, bool Public, string Topic, int Members, bool Joined);

/// <summary><c>GET /api/rooms</c>: the hub's rooms and the ones we are in, each as "#name"; <paramref name="Details"/> says more of each of the hub's rooms.</summary>
public sealed record RoomsReply(IReadOnlyList<string> Rooms, IReadOnlyList<string> Joined)
{
    public IReadOnlyList<RoomDetails> Details { get; init; } = [];
}

/// <summary>A room member, as <c>POST /api/rooms</c>, <c>…/join</c>, <c>GET …/members</c> and <c>GET /api/rooms/{room}</c> list them (the last says who owns the room).</summary>
public sealed record RoomMemberView(string DeviceId, string Name, bool Online)
{
    public bool Owner { get; init; }

    /// <summary>The views of <paramref name="members"/>, marking the owners of <paramref name="policy"/> (when we hold it).</summary>
    internal static IReadOnlyList<RoomMemberView> List(IEnumerable<RoomMember> members, RoomPolicy? policy = null) =>
        [.. members.Select(m => new RoomMemberView(m.DeviceId.ToString(), m.Name, m.Online) { Owner = policy?.IsOwner(m.DeviceId) == true })];
}

/// <summary>
/// <c>GET /api/rooms/{room}</c>: a room as its members (and those invited, or anyone when public) see
/// it: topic, public or invite-only, owners (device IDs), members, whether we own it and are in it.
/// </summary>
public sealed record RoomView(string Name, string Topic, bool Public, IReadOnlyList<string> Owners, IReadOnlyList<RoomMemberView> Members, bool IAmOwner, bool Joined)
{
    /// <summary>Messages we hold and cannot open yet (their sender key is asked for).</summary>
    public int Waiting { get; init; }

    /// <summary>Messages and keys dropped since start because they did not check out (forged or damaged).</summary>
    public int Dropped { get; init; }

    /// <summary>The first message that arrived in the latest catch-up after being away: where "new messages" starts.</summary>
    public Guid? FirstUnread { get; init; }

    /// <summary>How far we have read the room's log (its seq).</summary>
    public long Position { get; init; }
}

/// <summary><c>POST /api/rooms/{room}/leave</c>: the room left, as "#name".</summary>
public sealed record RoomLeftReply(string Left);


/// <summary>One of our room messages' delivery count: delivered to <c>Delivered</c> of <c>Recipients</c> members.</summary>
public sealed record DeliveryCount(Guid Id, int Delivered, int Recipients);

/// <summary>The data of <c>room.delivery</c>.</summary>
public sealed record RoomDeliveryEvent(string Room, IReadOnlyList<DeliveryCount> Messages);


/// <summary><c>POST /api/rooms/{room}/invite</c> and <c>…/remove</c>: the member (a name in the room, a contact or directory name, or a device ID).</summary>
public sealed record RoomMemberRequest(string? Member);

/// <summary>The answer to an invite or a removal: the room and the member's device ID.</summary>
public sealed record RoomMemberReply(string Room, string DeviceId);

/// <summary><c>POST /api/rooms/{room}/invite-link</c>: a <c>parley-room:</c> link, and until when it admits whoever holds it.</summary>
public sealed record RoomLinkReply(string Room, string Link, DateTimeOffset ExpiresAt);

/// <summary><c>POST /api/rooms/join-link</c>: the link to join by.</summary>
public sealed record RoomJoinLinkRequest(string? Link);

/// <summary><c>POST /api/rooms/join-link</c>: the room joined, and its members.</summary>
public sealed record RoomJoinedReply(string Room, IReadOnlyList<RoomMemberView> Members);

/// <summary><c>POST /api/rooms/{room}/policy</c>: the new topic and public flag (null: unchanged).</summary>
public sealed record RoomPolicyRequest(string? Topic, bool? Public);

/// <summary>The data of <c>room.notice</c>: the member it is about (the inviter or owner for invited and policy), and the line shown.</summary>
public sealed record RoomNoticeEvent(string Room, string DeviceId, string Name, bool Joined)
{
    public RoomNoticeKind Kind { get; init; }

    public string Text { get; init; } = "";
}
