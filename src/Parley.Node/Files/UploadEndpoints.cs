using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Parley.Node.Api;
using Parley.Node.Contacts;

namespace Parley.Node.Files;

/// <summary>Sending from the browser (<c>/api/uploads</c>): create an upload, PUT each file's bytes, then send it to a contact.</summary>
internal static class UploadEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/uploads", (Outbox outbox) => new UploadCreated(outbox.Create()));
        api.MapPut("/uploads/{id}", async (HttpContext context, string id, string? path, Outbox outbox) =>
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
            var written = await outbox.WriteAsync(id, path, context.Request.Body, context.Request.ContentLength, context.RequestAborted).ConfigureAwait(false);
            return new UploadedFile(path, written);
        });
        api.MapPost("/uploads/{id}/send", async (string id, UploadSendRequest body, Outbox outbox, TransferViews views, PeerLookup lookup) =>
        {
            if (string.IsNullOrWhiteSpace(body.To))
            {
                throw new ApiRequestException("give the contact to send to (to)");
            }
            var transfer = await outbox.SendAsync(id, lookup.Resolve(body.To)).ConfigureAwait(false);
            return new UploadSent(views.Describe(transfer));
        });
        api.MapDelete("/uploads/{id}", (string id, Outbox outbox) =>
        {
            outbox.Discard(id);
            return Results.NoContent();
        });
    }
}
