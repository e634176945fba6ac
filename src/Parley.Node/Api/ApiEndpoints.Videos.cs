using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Identity;
using Parley.Node.Videos;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record ShareRequest(string? Folder);

    public sealed record VideoAccessRequest(string? Peer, bool Allowed);

    public sealed record PlayRequest(string? Peer, string? Title, string? Res);

    /// <summary>Path of the tokened player URLs, which the API security lets in without a session.</summary>
    public const string PlayPath = "/play";

    private static void MapVideos(IEndpointRouteBuilder app, RouteGroupBuilder api, ParleyNode node)
    {
        var videos = node.Videos;
        api.MapGet("/videos", () => VideoStatus(node));
        api.MapGet("/videos/library", () => videos.OwnCatalog());
        api.MapPost("/videos/share", async (ShareRequest body) =>
        {
            await videos.ShareAsync(string.IsNullOrWhiteSpace(body.Folder) ? throw new ApiRequestException("give the folder to share") : body.Folder).ConfigureAwait(false);
            return VideoStatus(node);
        });
        api.MapPost("/videos/unshare", async () =>
        {
            await videos.UnshareAsync().ConfigureAwait(false);
            return VideoStatus(node);
        });
        api.MapPost("/videos/access", async (VideoAccessRequest body) =>
        {
            var everyone = string.IsNullOrWhiteSpace(body.Peer) || body.Peer == "all";
            await videos.Access.SetAsync(everyone ? null : Resolve(node, body.Peer!), body.Allowed).ConfigureAwait(false);
            return VideoStatus(node);
        });
        api.MapGet("/peers/{peer}/videos", async (string peer, HttpContext context) =>
        {
            var id = Resolve(node, peer);
            return CatalogJson(id, await videos.ListAsync(id, context.RequestAborted).ConfigureAwait(false));
        });
        api.MapMethods("/peers/{peer}/videos/{video}", [HttpMethods.Get, HttpMethods.Head], async (string peer, string video, HttpContext context) =>
        {
            var id = Resolve(node, peer);
            var variant = await videos.FindAsync(id, video, context.RequestAborted).ConfigureAwait(false);
            await StreamVideoAsync(context, node, id, variant, CancellationToken.None).ConfigureAwait(false);
        });
        api.MapPost("/play", async (PlayRequest body, HttpContext context) =>
        {
            if (string.IsNullOrWhiteSpace(body.Peer) || string.IsNullOrWhiteSpace(body.Title))
            {
                throw new ApiRequestException("give the peer and the title");
            }
            var id = Resolve(node, body.Peer);
            var variant = PickVariant(await videos.ListAsync(id, context.RequestAborted).ConfigureAwait(false), body.Title, body.Res);
            var token = videos.PlayLinks.Create(id, variant);
            var file = Uri.EscapeDataString(Path.GetFileName(variant.File));
            return new { url = $"{node.ApiUrl.ToString().TrimEnd('/')}{PlayPath}/{token}/{file}", file = variant.File, label = variant.Label, variant = VariantJson(id, variant) };
        });
        api.MapDelete("/play", () => new { stopped = videos.PlayLinks.StopAll() });
        app.MapMethods(PlayPath + "/{token}/{**name}", [HttpMethods.Get, HttpMethods.Head], async (string token, HttpContext context) =>
        {
            if (videos.PlayLinks.Use(token) is not { } link)
            {
                throw new VideoException("this play link has ended or never existed; run `parley play` for a new one", StatusCodes.Status404NotFound);
            }
            using (link.BeginStream())
            {
                await StreamVideoAsync(context, node, link.Peer, link.Variant, link.Stopped).ConfigureAwait(false);
            }
        });
    }

    private static object VideoStatus(ParleyNode node)
    {
        var videos = node.Videos;
        var catalog = videos.OwnCatalog();
        return new
        {
            folder = videos.SharedFolder,
            everyone = videos.Access.Everyone,
            rules = videos.Access.Rules,
            titles = catalog.Titles.Count,
            files = catalog.FileCount,
            unreadable = catalog.Unreadable.Count,
            bytesServed = videos.BytesServed,
            activeReads = videos.Reads.Active,
            peakReads = videos.Reads.Peak,
            activeStreams = videos.ActiveStreams,
        };
    }

    private static object CatalogJson(DeviceId peer, VideoCatalog catalog) => new
    {
        deviceId = peer.ToString(),
        titles = catalog.Titles.Select(t => new { title = t.Title, variants = t.Variants.Select(v => VariantJson(peer, v)) }),
        unreadable = catalog.Unreadable,
        truncated = catalog.Truncated,
    };

    private static object VariantJson(DeviceId peer, VideoVariant v) => new
    {
        v.Id, v.File, v.Size, v.Container, v.Duration, v.VideoCodec, v.Width, v.Height, v.AudioCodec, v.Channels, v.SampleRate,
        v.Label, v.Bitrate, v.MimeType,
        stream = $"/api/peers/{peer.Compact}/videos/{v.Id}",
    };

    /// <summary>The variant of <paramref name="title"/> at <paramref name="res"/> (e.g. 480p), else the highest.</summary>
    private static VideoVariant PickVariant(VideoCatalog catalog, string title, string? res)
    {
        var matches = catalog.Titles.Where(t => string.Equals(t.Title, title, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. catalog.Titles.Where(t => t.Title.StartsWith(title, StringComparison.OrdinalIgnoreCase))];
        }
        var found = matches.Count switch
        {
            1 => matches[0],
            0 => throw new VideoException($"no title '{title}' in the library", StatusCodes.Status404NotFound),
            _ => throw new VideoException($"'{title}' matches {string.Join(", ", matches.Take(5).Select(t => t.Title))}; give more of the title", StatusCodes.Status409Conflict),
        };
        if (string.IsNullOrWhiteSpace(res))
        {
            return found.Variants[^1];
        }
        var wanted = res.Trim().ToLowerInvariant();
        wanted = wanted.EndsWith('p') ? wanted : wanted + "p";
        return found.Variants.LastOrDefault(v => v.Label == wanted)
            ?? throw new VideoException($"'{found.Title}' has no {wanted} variant (it has {string.Join(", ", found.Variants.Select(v => v.Label))})", StatusCodes.Status404NotFound);
    }

    /// <summary>
    /// Serves a peer's video to a local player: the range asked for (206), the whole file (200) or
    /// 416 past the end, fetched over the peer link as the player reads. <c>no-store</c> keeps the
    /// browser from writing it to its disk cache.
    /// </summary>
    private static async Task StreamVideoAsync(HttpContext context, ParleyNode node, DeviceId peer, VideoVariant variant, CancellationToken stopped)
    {
        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "no-store";
        var range = ByteRange.Parse(context.Request.Headers.Range, variant.Size);
        if (range.Unsatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{variant.Size}";
            await response.WriteAsJsonAsync(new { error = $"the range is past the end of the video ({variant.Size:N0} bytes)" }, stopped).ConfigureAwait(false);
            return;
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, node.Stopping, stopped);
        IDisposable slot;
        try
        {
            slot = await node.Videos.EnterStreamAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the player left while waiting
        }
        using (slot)
        {
            response.StatusCode = range.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
            response.ContentType = variant.MimeType;
            response.ContentLength = range.Length;
            if (range.Partial)
            {
                response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{variant.Size}";
            }
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }
            try
            {
                await node.Videos.CopyRangeAsync(peer, variant, range.Start, range.Length, response.Body, cancel.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                context.Abort(); // the player left, the link was stopped or the node is stopping
            }
            catch (VideoException) when (!response.HasStarted)
            {
                response.Headers.ContentLength = null;
                response.Headers.ContentRange = default;
                throw;
            }
            catch (VideoException)
            {
                context.Abort(); // a body cut short: the player sees the connection end, not a wrong length
            }
        }
    }
}
