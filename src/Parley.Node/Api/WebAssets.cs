using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Parley.Node.Api;

/// <summary>
/// The web UI's files (src/Parley.Node/Web), embedded in the assembly and served from memory:
/// nothing is read from disk and nothing loads from outside the machine. Every response carries a
/// strict content security policy, so even a slip in the page could not run injected script.
/// </summary>
internal static class WebAssets
{
    private const string Prefix = "web/";

    /// <summary>Scripts, styles and images only from this node; no framing; no inline script.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
        + "font-src 'self'; media-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, byte[]> Files = Load();

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(WebAssets).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files["/" + name[Prefix.Length..]] = copy.ToArray();
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static IEnumerable<string> Paths => Files.Keys;

    /// <summary>Serves a GET for a UI file; false when the path names none (the caller answers 404).</summary>
    public static async Task<bool> TryServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path == "/")
        {
            path = "/index.html";
        }
        if (!Files.TryGetValue(path, out var bytes))
        {
            return false;
        }
        var response = context.Response;
        AddHeaders(response);
        response.ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
        // The node's build decides what these files are; a new build must never mix with cached old modules.
        response.Headers.CacheControl = "no-cache";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes).ConfigureAwait(false);
        return true;
    }

    public static void AddHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
    }
}
