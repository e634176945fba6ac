using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Hub.Rooms;
using Parley.Node.Chat;
using Parley.Node.Storage;

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
        api.MapGet("/rooms/{room}", async (string room, RoomMembership rooms, RoomBook book, NodeStore store) =>
        {
            var name = RoomNames.Normalize(Uri.UnescapeDataString(room));
            var state = book.Find(name) ?? throw new ChatException($"you are not in #{name}");
            var members = RoomMemberView.List(await rooms.MembersAsync(name).ConfigureAwait(false));
            var waiting = (await store.WaitingAsync("#" + name).ConfigureAwait(false)).Count;
            lock (state.Lock)
            {
                return new RoomView("#" + name, members, waiting, state.Dropped, state.FirstCaughtUp, (long)state.Position);
            }
        });
        api.MapGet("/rooms/{room}/members", async (string room, RoomMembership rooms) =>
            RoomMemberView.List(await rooms.MembersAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false)));
    }
}
