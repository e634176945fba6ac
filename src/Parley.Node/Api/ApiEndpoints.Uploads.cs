using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record UploadSendRequest(string? To);

    /// <summary>Sending from the browser: create an upload, PUT each file's bytes, then send it to a contact.</summary>
    private static void MapUploads(RouteGroupBuilder api, ParleyNode node)
    {
        api.MapPost("/uploads", () => new { id = node.Outbox.Create() });
        api.MapPut("/uploads/{id}", async (HttpContext context, string id, string? path) =>
        {
            if (string.IsNullOrEmpty(path))
            {
                throw new ApiRequestException("give the file's relative path (path=folder/name)");
            }
            // A file is as large as the user's disk allows; the 1 MiB cap is for JSON bodies.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }
            var written = await node.Outbox.WriteAsync(id, path, context.Request.Body, context.Request.ContentLength, context.RequestAborted).ConfigureAwait(false);
            return new { path, size = written };
        });
        api.MapPost("/uploads/{id}/send", async (string id, UploadSendRequest body) =>
        {
            if (string.IsNullOrWhiteSpace(body.To))
            {
                throw new ApiRequestException("give the contact to send to (to)");
            }
            var transfer = await node.Outbox.SendAsync(id, Resolve(node, body.To)).ConfigureAwait(false);
            return new { transfer = node.Files.ToJson(transfer) };
        });
        api.MapDelete("/uploads/{id}", (string id) =>
        {
            node.Outbox.Discard(id);
            return Results.NoContent();
        });
    }
}
