using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Node.Api;
using Parley.Node.Contacts;

namespace Parley.Node.Files;

/// <summary>
/// <c>/api/transfers</c> (send, list, one, cancel, open or show the folder of what was received), <c>/api/offers</c> (list, accept, reject) and
/// <c>/api/peers/{peer}/auto-accept</c>. The download folder is set through <c>/api/settings</c>,
/// which other areas share.
/// </summary>
internal static class FilesEndpoints
{
    /// <summary>Transfers listed at most (the newest). 200.</summary>
    private const int ListLimit = 200;

    /// <summary>Files of an offer shown in the offers list; <c>GET /api/transfers/{id}?files=</c> gives more. 20.</summary>
    private const int OfferFilesShown = 20;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/transfers", async (SendRequest body, FileTransferService files, TransferViews views, PeerLookup lookup) =>
        {
            if (body.Paths is not { Length: > 0 } || string.IsNullOrWhiteSpace(body.To))
            {
                throw new ApiRequestException("give the peer (to) and at least one path");
            }
            var (transfer, skipped) = await files.OfferAsync(lookup.Resolve(body.To), body.Paths).ConfigureAwait(false);
            return new SendResult(views.Describe(transfer), skipped);
        });
        api.MapGet("/transfers", (FileTransferService files, TransferViews views) =>
            files.All.Where(t => t.State != TransferState.Pending).Take(ListLimit).Select(views.Describe).ToList());
        api.MapGet("/transfers/{id}", (string id, int? files, FileTransferService transfers, TransferViews views) =>
            views.Detail(transfers.Find(id), Math.Clamp(files ?? 1000, 0, 100_000)));
        api.MapPost("/transfers/{id}/cancel", async (string id, FileTransferService files, TransferViews views) =>
            views.Describe(await files.CancelAsync(files.Find(id)).ConfigureAwait(false)));
        api.MapPost("/transfers/{id}/open", (string id, FileTransferService files) => { DesktopOpener.OpenFile(files.Find(id)); return Results.NoContent(); });
        api.MapPost("/transfers/{id}/show-folder", (string id, FileTransferService files) => { DesktopOpener.ShowFolder(files.Find(id)); return Results.NoContent(); });
        api.MapGet("/offers", (FileTransferService files, TransferViews views) =>
            files.All.Where(t => t.State == TransferState.Pending).Select(t => views.Detail(t, OfferFilesShown)).ToList());
        api.MapPost("/offers/{id}/accept", async (string id, AcceptOfferRequest? body, FileTransferService files, TransferViews views) =>
            views.Describe(await files.AcceptAsync(files.Find(id), body?.Folder).ConfigureAwait(false)));
        api.MapPost("/offers/{id}/reject", async (string id, FileTransferService files, TransferViews views) =>
            views.Describe(await files.RejectAsync(files.Find(id)).ConfigureAwait(false)));
        api.MapPost("/peers/{peer}/auto-accept", async (string peer, AutoAcceptRequest body, FileTransferService files, PeerLookup lookup) =>
        {
            var id = lookup.Resolve(peer);
            await files.SetAutoAcceptAsync(id, body.Enabled).ConfigureAwait(false);
            return new AutoAcceptInfo(id.ToString(), body.Enabled);
        });
    }
}
