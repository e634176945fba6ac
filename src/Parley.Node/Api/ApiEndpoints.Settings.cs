using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record SettingsRequest(string? DownloadFolder, bool? Discovery);

    private static async Task<object> SettingsJsonAsync(ParleyNode node) => new
    {
        downloadFolder = await node.Files.DownloadFolderAsync().ConfigureAwait(false),
        discovery = node.DiscoveryEnabled,
        autoAccept = (await node.Files.AutoAcceptPeersAsync().ConfigureAwait(false)).Select(p => p.ToString()),
    };

    /// <summary>
    /// <c>GET/POST /api/settings</c>: the download folder and auto-accepted contacts (Files) beside LAN
    /// discovery (the node), so it is shared by areas and stays here.
    /// </summary>
    private static void MapSettings(RouteGroupBuilder api, ParleyNode node)
    {
        api.MapGet("/settings", () => SettingsJsonAsync(node));
        api.MapPost("/settings", async (SettingsRequest body) =>
        {
            if (!string.IsNullOrWhiteSpace(body.DownloadFolder))
            {
                await node.Files.SetDownloadFolderAsync(body.DownloadFolder).ConfigureAwait(false);
            }
            if (body.Discovery is { } discovery)
            {
                await node.SetDiscoveryAsync(discovery).ConfigureAwait(false);
            }
            return await SettingsJsonAsync(node).ConfigureAwait(false);
        });
    }
}
