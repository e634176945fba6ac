using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Parley.Node.Api;

/// <summary>What the web UI needs beyond the CLI's API: login by one-time link, the session's CSRF token, logout, the page files.</summary>
internal static class WebEndpoints
{
    public static void Map(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        app.MapGet(ApiSecurity.LoginPath, async (HttpContext context, string? token, WebSessions sessions, ApiSecurity security, RefusalPage refusal) =>
        {
            if (await sessions.RedeemAsync(token).ConfigureAwait(false) is not { } session)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await refusal.WriteAsync(context.Response, "This login link has been used or has expired.").ConfigureAwait(false);
                return;
            }
            context.Response.Cookies.Append(security.CookieName, session.Cookie, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
                IsEssential = true,
                Expires = session.ExpiresAt,
            });
            WebAssets.AddHeaders(context.Response);
            // 303 to a URL without the token, so it leaves the address bar and is not reloaded.
            context.Response.Redirect("/", permanent: false);
        });
        api.MapPost("/login-links", (HttpContext context, WebSessions sessions, ApiAddress address) =>
        {
            if (ApiSecurity.SessionOf(context) is not null)
            {
                return Results.Json(new ApiError("login links are made with the API key (parley open), not from a browser"), statusCode: StatusCodes.Status403Forbidden);
            }
            return Results.Ok(new LoginLinkView(sessions.CreateLoginUrl(address.Url).ToString(), (int)WebSessions.LoginTokenLifetime.TotalSeconds));
        });
        api.MapGet("/session", (HttpContext context, RefusalPage refusal) => ApiSecurity.SessionOf(context) is { } session
            ? Results.Ok(new WebSessionView(session.CsrfToken, ApiSecurity.CsrfHeader, refusal.OpenCommand))
            : Results.Json(new ApiError("this call is for a browser session"), statusCode: StatusCodes.Status400BadRequest));
        api.MapPost("/logout", async (HttpContext context, WebSessions sessions, ApiSecurity security) =>
        {
            if (ApiSecurity.SessionOf(context) is { } session)
            {
                await sessions.EndAsync(session.IdHash).ConfigureAwait(false);
                context.Response.Cookies.Delete(security.CookieName);
            }
            return Results.NoContent();
        });
    }

    /// <summary>Anything no route took: a page file of the web UI for a GET, else a JSON 404. Mapped after every module's routes.</summary>
    public static void MapPageFiles(IEndpointRouteBuilder app) => app.MapFallback("{**path}", async context =>
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !await WebAssets.TryServeAsync(context).ConfigureAwait(false))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsJsonAsync(new ApiError($"no such page or call: {context.Request.Method} {context.Request.Path}")).ConfigureAwait(false);
        }
    });
}
