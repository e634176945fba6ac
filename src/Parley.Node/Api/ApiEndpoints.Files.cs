using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Node.Files;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record SendRequest(string? To, string[]? Paths);

    public sealed record AcceptOfferRequest(string? Folder);

    public sealed record AutoAcceptRequest(bool Enabled);

    public sealed record SettingsRequest(string? DownloadFolder, bool? Discovery);

    private static async Task<object> SettingsJsonAsync(ParleyNode node) => new
    {
        downloadFolder = await node.Files.DownloadFolderAsync().ConfigureAwait(false),
        discovery = node.DiscoveryEnabled,
        autoAccept = (await node.Files.AutoAcceptPeersAsync().ConfigureAwait(false)).Select(p => p.ToString()),
    };

    private static void MapFiles(RouteGroupBuilder api, ParleyNode node)
    {
        var files = node.Files;
        api.MapPost("/transfers", async (SendRequest body) =>
        {
            if (body.Paths is not { Length: > 0 } || string.IsNullOrWhiteSpace(body.To))
            {
                throw new ApiRequestException("give the peer (to) and at least one path");
            }
            var (transfer, skipped) = await files.OfferAsync(Resolve(node, body.To), body.Paths).ConfigureAwait(false);
            return new { transfer = files.ToJson(transfer), skipped };
        });
        api.MapGet("/transfers", () => files.All.Where(t => t.State != TransferState.Pending).Take(200).Select(files.ToJson));
        api.MapGet("/transfers/{id}", (string id, int? files) =>
        {
            var transfer = node.Files.Find(id);
            return new { transfer = node.Files.ToJson(transfer), files = FileTransferService.FilesJson(transfer, Math.Clamp(files ?? 1000, 0, 100_000)) };
        });
        api.MapPost("/transfers/{id}/cancel", async (string id) => files.ToJson(await files.CancelAsync(files.Find(id)).ConfigureAwait(false)));
        api.MapGet("/offers", () => files.All.Where(t => t.State == TransferState.Pending)
            .Select(t => new { transfer = files.ToJson(t), files = FileTransferService.FilesJson(t, 20) }));
        api.MapPost("/offers/{id}/accept", async (string id, AcceptOfferRequest? body) =>
            files.ToJson(await files.AcceptAsync(files.Find(id), body?.Folder).ConfigureAwait(false)));
        api.MapPost("/offers/{id}/reject", async (string id) => files.ToJson(await files.RejectAsync(files.Find(id)).ConfigureAwait(false)));
        api.MapPost("/peers/{peer}/auto-accept", async (string peer, AutoAcceptRequest body) =>
        {
            var id = Resolve(node, peer);
            await files.SetAutoAcceptAsync(id, body.Enabled).ConfigureAwait(false);
            return new { deviceId = id.ToString(), autoAccept = body.Enabled };
        });
        api.MapGet("/settings", () => SettingsJsonAsync(node));
        api.MapPost("/settings", async (SettingsRequest body) =>
        {
            if (!string.IsNullOrWhiteSpace(body.DownloadFolder))
            {
                await files.SetDownloadFolderAsync(body.DownloadFolder).ConfigureAwait(false);
            }
            if (body.Discovery is { } discovery)
            {
                await node.SetDiscoveryAsync(discovery).ConfigureAwait(false);
            }
            return await SettingsJsonAsync(node).ConfigureAwait(false);
        });
    }
}
