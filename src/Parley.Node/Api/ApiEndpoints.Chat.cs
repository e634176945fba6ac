using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record ChatRequest(string? Text);

    private static void MapChat(RouteGroupBuilder api, ParleyNode node)
    {
        api.MapPost("/chat/{peer}", async (string peer, ChatRequest body) =>
        {
            if (IsRoom(peer))
            {
                return Results.Ok(await node.RoomChat.SendAsync(Uri.UnescapeDataString(peer), body.Text ?? "").ConfigureAwait(false));
            }
            var id = Resolve(node, peer);
            var message = await node.Chat.SendAsync(id, body.Text ?? "").ConfigureAwait(false);
            return Results.Ok(node.Chat.ToEvent(message));
        });
        api.MapGet("/chat/{peer}", async (string peer, int? limit, long? before) =>
        {
            if (IsRoom(peer))
            {
                return await node.RoomChat.HistoryAsync(Uri.UnescapeDataString(peer), limit ?? 100, before ?? long.MaxValue).ConfigureAwait(false);
            }
            var id = Resolve(node, peer);
            var messages = await node.Chat.HistoryAsync(id, limit ?? 100, before ?? long.MaxValue).ConfigureAwait(false);
            return messages.Select(node.Chat.ToEvent);
        });
    }
}
