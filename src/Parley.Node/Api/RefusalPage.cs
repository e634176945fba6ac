using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Parley.Node.Api;

/// <summary>
/// The page a browser sees when it is refused (not signed in, a used or expired login link): why,
/// and the command that gets a new link for this very node. The page cannot load the UI's style
/// sheet (that needs a session), so it carries its own small style, allowed by its hash in the
/// page's content security policy; nothing else inline is allowed.
/// </summary>
internal sealed partial class RefusalPage(string home)
{
    private const string Style = """
        :root { color-scheme: light dark; --muted: #5f6778; --surface: #eef0f6; }
        @media (prefers-color-scheme: dark) { :root { --muted: #9aa3b5; --surface: #20242d; } }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 36rem; margin: 4rem auto; padding: 0 1.25rem; }
        h1 { font-size: 1.4rem; margin: 0 0 1rem; }
        .muted { color: var(--muted); }
        code { display: block; margin: .75rem 0; padding: .6rem .8rem; border-radius: 8px; background: var(--surface); font: 14px ui-monospace, monospace; overflow-wrap: anywhere; }
        """;

    private static readonly string Policy = WebAssets.ContentSecurityPolicy.Replace("style-src 'self'",
        $"style-src 'self' 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'", StringComparison.Ordinal);

    /// <summary>
    /// <c>parley open</c>, with <c>--home</c> when this node's home is not the one the CLI finds by
    /// itself, quoted for a POSIX shell if it needs to be: a command that fails when pasted helps nobody.
    /// </summary>
    public string OpenCommand { get; } = home == HomeFolder.Resolve(null) ? "parley open" : $"parley --home {ShellQuote(home)} open";

    public async Task WriteAsync(HttpResponse response, string reason)
    {
        WebAssets.AddHeaders(response);
        response.Headers.ContentSecurityPolicy = Policy;
        response.ContentType = "text/html; charset=utf-8";
        var html = $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Parley: not signed in</title><style>{Style}</style></head>
            <body><main><h1>Parley</h1><p>{WebUtility.HtmlEncode(reason)}</p>
            <p class="muted">For a new login link, run this in a terminal on this computer and follow the link it prints:</p>
            <code>{WebUtility.HtmlEncode(OpenCommand)}</code></main></body></html>
            """;
        await response.WriteAsync(html).ConfigureAwait(false);
    }

    private static string ShellQuote(string text) =>
        SafeWord().IsMatch(text) ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[A-Za-z0-9_./+:@%-]+$")]
    private static partial Regex SafeWord();
}
