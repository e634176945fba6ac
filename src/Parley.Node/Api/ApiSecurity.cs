using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Parley.Node.Api;

/// <summary>
/// Guards the loopback API and web UI. A request must name a loopback host with our port (against
/// DNS rebinding) and carry no foreign Origin (against cross-site requests from another page). It
/// is then let in by the API key from the home folder as a bearer token (the CLI), or by a web
/// session cookie (the browser), whose unsafe requests must also echo the session's CSRF token and
/// whose WebSockets must carry this node's own Origin (a WebSocket handshake is not bound by CORS).
/// Only <c>/login</c>, which trades a one-time token for a session, and <c>/play/TOKEN/…</c>, the
/// tokened links for external video players, are open without either.
/// </summary>
internal sealed class ApiSecurity(ApiAddress address, WebSessions sessions, RefusalPage refusalPage)
{
    public const string CsrfHeader = "X-Parley-Csrf";
    public const string LoginPath = "/login";
    private static readonly string[] LoopbackHosts = ["127.0.0.1", "localhost", "[::1]"];
    private readonly byte[] _key = Encoding.UTF8.GetBytes(address.ApiKey);

    /// <summary>The session cookie's name carries the port: cookies are shared by every port of a host.</summary>
    public string CookieName => $"parley-{address.Port}";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var refusal = await CheckAsync(context).ConfigureAwait(false);
        if (refusal is not null)
        {
            context.Response.StatusCode = refusal.Value.Status;
            if (WantsPage(context.Request))
            {
                var reason = refusal.Value.Status == StatusCodes.Status401Unauthorized ? "You are not signed in to this Parley node." : refusal.Value.Error;
                await refusalPage.WriteAsync(context.Response, reason).ConfigureAwait(false);
            }
            else
            {
                await context.Response.WriteAsJsonAsync(new { error = refusal.Value.Error }).ConfigureAwait(false);
            }
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>The web session this request carries, if any (set by <see cref="CheckAsync"/>).</summary>
    public static WebSession? SessionOf(HttpContext context) => context.Items[typeof(WebSession)] as WebSession;

    private async ValueTask<(int Status, string Error)?> CheckAsync(HttpContext context)
    {
        var request = context.Request;
        var ourPort = address.Port;
        var host = request.Host;
        if (!host.HasValue || host.Port != ourPort || !LoopbackHosts.Contains(host.Host, StringComparer.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status403Forbidden, "the Host header must name this node's loopback address");
        }
        var origin = request.Headers.Origin.ToString();
        var sameOrigin = origin == $"http://127.0.0.1:{ourPort}" || origin == $"http://localhost:{ourPort}";
        if (origin.Length > 0 && !sameOrigin)
        {
            return (StatusCodes.Status403Forbidden, "requests from other origins are refused");
        }
        if (request.Path.Equals(LoginPath, StringComparison.Ordinal) && HttpMethods.IsGet(request.Method))
        {
            return null;
        }
        if (request.Path.StartsWithSegments(Videos.VideosEndpoints.PlayPath, StringComparison.Ordinal) && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return null; // a player link: its unguessable token is checked by the route
        }
        if (HasApiKey(request))
        {
            return null;
        }
        if (await sessions.FindAsync(request.Cookies[CookieName]).ConfigureAwait(false) is not { } session)
        {
            return (StatusCodes.Status401Unauthorized, "not signed in: run `parley open` for a login link (the CLI uses the api-key file in the node's home)");
        }
        var unsafeMethod = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        if (unsafeMethod && !FixedEquals(request.Headers[CsrfHeader].ToString(), session.CsrfToken))
        {
            return (StatusCodes.Status403Forbidden, $"missing or wrong {CsrfHeader} header");
        }
        if (IsUpgrade(context) && !sameOrigin)
        {
            return (StatusCodes.Status403Forbidden, "a browser's WebSocket must come from this node's own page");
        }
        context.Items[typeof(WebSession)] = session;
        return null;
    }

    /// <summary>
    /// Whether the request asks for a WebSocket (or any other protocol upgrade), told by its own
    /// headers: this guard runs before <c>UseWebSockets</c>, so <c>IsWebSocketRequest</c> is still false
    /// here. HTTP/1.1 asks with <c>Upgrade</c> (and <c>Connection: Upgrade</c>), HTTP/2 with an
    /// extended CONNECT (RFC 8441). A browser never sends an <c>Upgrade</c> header of its own accord
    /// (it is a forbidden header for scripts), so counting any of them refuses no page request.
    /// </summary>
    private static bool IsUpgrade(HttpContext context)
    {
        var request = context.Request;
        return context.WebSockets.IsWebSocketRequest
            || request.Headers.Upgrade.Count > 0
            || request.Headers.Connection.Any(value => value is not null && value.Contains("upgrade", StringComparison.OrdinalIgnoreCase))
            || HttpMethods.IsConnect(request.Method)
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
    }

    private bool HasApiKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return authorization.StartsWith(Bearer, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[Bearer.Length..]), _key);
    }

    private static bool FixedEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    /// <summary>A browser navigating (not the API, not a script's fetch) gets an HTML page, not JSON.</summary>
    private static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api", StringComparison.Ordinal) && HttpMethods.IsGet(request.Method);
}
