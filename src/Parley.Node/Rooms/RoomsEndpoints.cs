using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Parley.Node.Rooms;

/// <summary><c>/api/rooms</c>: the hub's rooms, creating, joining and leaving them, their members. A room's messages are under <c>/api/chat/%23room</c>.</summary>
internal static class RoomsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/rooms", async (RoomMembership rooms) =>
            new RoomsReply([.. (await rooms.ListAsync().ConfigureAwait(false)).Select(r => "#" + r)], [.. rooms.Joined.Select(r => "#" + r)]));
        api.MapPost("/rooms", async (RoomRequest body, RoomMembership rooms) =>
            RoomMemberView.List(await rooms.CreateAsync(body.Name ?? "").ConfigureAwait(false)));
        api.MapPost("/rooms/{room}/join", async (string room, RoomMembership rooms) =>
            RoomMemberView.List(await rooms.JoinAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false)));
        api.MapPost("/rooms/{room}/leave", async (string room, RoomMembership rooms) =>
        {
            await rooms.LeaveAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false);
            return new RoomLeftReply(RoomChat.ConversationKey(Uri.UnescapeDataString(room)));
        });
        api.MapGet("/rooms/{room}/members", async (string room, RoomMembership rooms) =>
            RoomMemberView.List(await rooms.MembersAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false)));
    }
}
