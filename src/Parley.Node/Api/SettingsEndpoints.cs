using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Parley.Node.Discovery;
using Parley.Node.Files;

namespace Parley.Node.Api;

/// <summary>
/// <c>GET/POST /api/settings</c>: the settings page's one form, across features (the download folder
/// and auto-accepted contacts are Files', LAN discovery is Discovery's), so it lives with the API.
/// </summary>
internal static class SettingsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/settings", (FileSettings files, DiscoveryService discovery) => ViewAsync(files, discovery));
        api.MapPost("/settings", async (SettingsRequest body, FileSettings files, DiscoveryService discovery) =>
        {
            if (!string.IsNullOrWhiteSpace(body.DownloadFolder))
            {
                await files.SetDownloadFolderAsync(body.DownloadFolder).ConfigureAwait(false);
            }
            if (body.Discovery is { } enabled)
            {
                await discovery.SetEnabledAsync(enabled).ConfigureAwait(false);
            }
            return await ViewAsync(files, discovery).ConfigureAwait(false);
        });
    }

    private static async Task<SettingsView> ViewAsync(FileSettings files, DiscoveryService discovery) => new(
        await files.DownloadFolderAsync().ConfigureAwait(false),
        discovery.Enabled,
        [.. (await files.AutoAcceptPeersAsync().ConfigureAwait(false)).Select(p => p.ToString())]);
}
