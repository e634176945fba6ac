using Microsoft.AspNetCore.Http;

namespace Parley.Node.Videos.Thumbnails;

/// <summary>
/// A poster frame to the page. The bytes may come from a peer and are never decoded by the node, so the
/// browser is told exactly what they are and nothing more: <c>image/jpeg</c>, no sniffing, and a policy
/// that sandboxes the response should it ever be opened as a document.
/// </summary>
internal static class ThumbnailResponse
{
    public static IResult Write(HttpContext context, byte[]? jpeg)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        // A variant's ID stays for the owner's run but its frame may still arrive or change: the page asks again on each list.
        headers.CacheControl = "private, no-cache";
        return jpeg is null ? Results.NotFound() : Results.Bytes(jpeg, "image/jpeg");
    }
}
