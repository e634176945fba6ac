using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Videos;
using Parley.Node.Api;
using Parley.Node.Contacts;
using Parley.Node.Videos.Thumbnails;

namespace Parley.Node.Videos;

/// <summary>The video routes: this node's sharing, a peer's library and its streams, and play links for external players.</summary>
internal static class VideosEndpoints
{
    /// <summary>Path of the tokened player URLs, which the API security lets in without a session.</summary>
    public const string PlayPath = "/play";

    public static void Map(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        api.MapGet("/videos", Status);
        api.MapGet("/videos/library", (VideoSharing sharing) => sharing.OwnCatalog());
        api.MapGet("/videos/library/{video}/thumbnail", (string video, VideoSharing sharing, HttpContext context) =>
            ThumbnailResponse.Write(context, sharing.OwnCatalog().FindVariant(video)?.Thumbnail is { } id ? sharing.Thumbnails?.Read(id) : null));
        api.MapGet("/peers/{peer}/videos/{video}/thumbnail", async (string peer, string video, VideoViewer viewer, PeerLookup lookup, HttpContext context) =>
            ThumbnailResponse.Write(context, await viewer.ThumbnailAsync(lookup.Resolve(peer), video, context.RequestAborted).ConfigureAwait(false)));
        api.MapPost("/videos/share", async (ShareRequest body, VideoSharing sharing, VideoOwner owner, PlayerStreams streams) =>
        {
            await sharing.ShareAsync(string.IsNullOrWhiteSpace(body.Folder) ? throw new ApiRequestException("give the folder to share") : body.Folder).ConfigureAwait(false);
            return Status(sharing, owner, streams);
        });
        api.MapPost("/videos/unshare", async (VideoSharing sharing, VideoOwner owner, PlayerStreams streams) =>
        {
            await sharing.UnshareAsync().ConfigureAwait(false);
            return Status(sharing, owner, streams);
        });
        api.MapPost("/videos/access", async (VideoAccessRequest body, VideoSharing sharing, VideoOwner owner, PlayerStreams streams, PeerLookup lookup) =>
        {
            var everyone = string.IsNullOrWhiteSpace(body.Peer) || body.Peer == "all";
            await sharing.Access.SetAsync(everyone ? null : lookup.Resolve(body.Peer!), body.Allowed).ConfigureAwait(false);
            return Status(sharing, owner, streams);
        });
        api.MapGet("/peers/{peer}/videos", async (string peer, VideoViewer viewer, PeerLookup lookup, HttpContext context) =>
        {
            var id = lookup.Resolve(peer);
            return PeerVideoLibrary.Of(id, await viewer.ListAsync(id, context.RequestAborted).ConfigureAwait(false));
        });
        api.MapMethods("/peers/{peer}/videos/{video}", [HttpMethods.Get, HttpMethods.Head],
            async (string peer, string video, VideoViewer viewer, PlayerStreams streams, PeerLookup lookup, HttpContext context) =>
            {
                var id = lookup.Resolve(peer);
                var variant = await viewer.FindAsync(id, video, context.RequestAborted).ConfigureAwait(false);
                await streams.ServeAsync(context, id, variant, CancellationToken.None).ConfigureAwait(false);
            });
        api.MapPost("/play", CreatePlayLinkAsync);
        api.MapDelete("/play", (PlayLinks links) => new PlayLinksStopped(links.StopAll()));
        app.MapMethods(PlayPath + "/{token}/{**name}", [HttpMethods.Get, HttpMethods.Head], async (string token, PlayLinks links, PlayerStreams streams, HttpContext context) =>
        {
            if (links.Use(token) is not { } link)
            {
                throw new VideoException("this play link has ended or never existed; run `parley play` for a new one", StatusCodes.Status404NotFound);
            }
            using (link.BeginStream())
            {
                await streams.ServeAsync(context, link.Peer, link.Variant, link.Stopped).ConfigureAwait(false);
            }
        });
    }

    private static VideoSharingStatus Status(VideoSharing sharing, VideoOwner owner, PlayerStreams streams)
    {
        var catalog = sharing.OwnCatalog();
        return new VideoSharingStatus(sharing.SharedFolder, sharing.Access.Everyone, sharing.Access.Rules, catalog.Titles.Count, catalog.FileCount,
            catalog.Unreadable.Count, owner.BytesServed, owner.Reads.Active, owner.Reads.Peak, streams.Active);
    }

    private static async Task<PlayLinkCreated> CreatePlayLinkAsync(PlayRequest body, VideoViewer viewer, PlayLinks links, PeerLookup lookup,
        HttpContext context)
    {
        if (string.IsNullOrWhiteSpace(body.Peer) || string.IsNullOrWhiteSpace(body.Title))
        {
            throw new ApiRequestException("give the peer and the title");
        }
        var id = lookup.Resolve(body.Peer);
        var variant = PlayVariant.Pick(await viewer.ListAsync(id, context.RequestAborted).ConfigureAwait(false), body.Title, body.Res, body.Variant);
        var token = links.Create(id, variant);
        var file = Uri.EscapeDataString(Path.GetFileName(variant.File));
        // The API listens on loopback only: the address this request reached is the API's own URL.
        var connection = context.Connection;
        return new PlayLinkCreated($"http://{connection.LocalIpAddress}:{connection.LocalPort}{PlayPath}/{token}/{file}", variant.File, variant.Label, PeerVideo.Of(id, variant));
    }
}
