using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Parley.Node.RoomCalls;

/// <summary>
/// <c>/api/rooms/{room}/call</c>: join (or start) the room's call, leave it, see who is in it, and the
/// page's media channel (<see cref="RoomCallPageChannel"/>).
/// </summary>
internal static class RoomCallsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/rooms/{room}/call", (string room, RoomCallService calls) => calls.Info(Uri.UnescapeDataString(room)));
        api.MapPost("/rooms/{room}/call", (string room, RoomCallJoinRequest? body, RoomCallService calls, CancellationToken cancellationToken) =>
            calls.JoinAsync(Uri.UnescapeDataString(room), body?.Video ?? true, body?.Join, cancellationToken));
        api.MapPost("/rooms/{room}/call/leave", (string room, RoomCallService calls) => calls.Leave(Uri.UnescapeDataString(room)));
        api.Map("/rooms/{room}/call/media", async (string room, HttpContext context, RoomCallService calls) =>
            await RoomCallPageChannel.RunAsync(context, calls, await calls.FindAsync(Uri.UnescapeDataString(room), context.Request.Query["join"].FirstOrDefault(), context.RequestAborted).ConfigureAwait(false))
                .ConfigureAwait(false));
    }
}
