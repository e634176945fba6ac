using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Hub.Rooms;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record RoomRequest(string? Name);

    private static void MapRooms(RouteGroupBuilder api, ParleyNode node)
    {
        var rooms = node.Rooms;
        api.MapGet("/rooms", async () => new { rooms = (await rooms.ListAsync().ConfigureAwait(false)).Select(r => "#" + r), joined = rooms.Joined.Select(r => "#" + r) });
        api.MapPost("/rooms", async (RoomRequest body) => MembersJson(await rooms.CreateAsync(body.Name ?? "").ConfigureAwait(false)));
        api.MapPost("/rooms/{room}/join", async (string room) => MembersJson(await rooms.JoinAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false)));
        api.MapPost("/rooms/{room}/leave", async (string room) =>
        {
            await rooms.LeaveAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false);
            return Results.Ok(new { left = Rooms.RoomService.ConversationKey(Uri.UnescapeDataString(room)) });
        });
        api.MapGet("/rooms/{room}/members", async (string room) => MembersJson(await rooms.MembersAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false)));
    }

    private static IEnumerable<object> MembersJson(IEnumerable<RoomMember> members) =>
        members.Select(m => new { deviceId = m.DeviceId.ToString(), name = m.Name, online = m.Online });

}
