using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using QRCoder;

namespace Parley.Node.Api;

/// <summary>What the web UI needs beyond the CLI's API: login, session, QR code, conversation list, the page files.</summary>
internal static partial class ApiEndpoints
{
    private static void MapWeb(IEndpointRouteBuilder app, RouteGroupBuilder api, ParleyNode node, WebSessions sessions, ApiSecurity security)
    {
        app.MapGet(ApiSecurity.LoginPath, async (HttpContext context, string? token) =>
        {
            if (sessions.Redeem(token) is not { } session)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await WebAssets.WriteRefusalPageAsync(context.Response, "This login link has been used or has expired.").ConfigureAwait(false);
                return;
            }
            context.Response.Cookies.Append(security.CookieName, session.Id, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                IsEssential = true,
            });
            WebAssets.AddHeaders(context.Response);
            // 303 to a URL without the token, so it leaves the address bar and is not reloaded.
            context.Response.Redirect("/", permanent: false);
        });
        api.MapPost("/login-links", (HttpContext context) =>
        {
            if (ApiSecurity.SessionOf(context) is not null)
            {
                return Results.Json(new { error = "login links are made with the API key (parley open), not from a browser" }, statusCode: StatusCodes.Status403Forbidden);
            }
            return Results.Ok(new { url = node.CreateLoginUrl().ToString(), expiresInSeconds = (int)WebSessions.LoginTokenLifetime.TotalSeconds });
        });
        api.MapGet("/session", (HttpContext context) => ApiSecurity.SessionOf(context) is { } session
            ? Results.Ok(new { csrfToken = session.CsrfToken, csrfHeader = ApiSecurity.CsrfHeader })
            : Results.Json(new { error = "this call is for a browser session" }, statusCode: StatusCodes.Status400BadRequest));
        api.MapPost("/logout", (HttpContext context) =>
        {
            if (ApiSecurity.SessionOf(context) is { } session)
            {
                sessions.End(session.Id);
                context.Response.Cookies.Delete(security.CookieName);
            }
            return Results.NoContent();
        });
        api.MapGet("/invite/qr.svg", () =>
        {
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(node.CreateInvite().ToString(), QRCodeGenerator.ECCLevel.M);
            var svg = new SvgQRCode(data).GetGraphic(new System.Drawing.Size(256, 256), "#000000", "#ffffff", drawQuietZones: true);
            return Results.Text(svg, "image/svg+xml");
        });
        api.MapGet("/conversations", async () =>
        {
            var conversations = await node.Store.ConversationsAsync(500).ConfigureAwait(false);
            return conversations.Select(c => new
            {
                peer = c.Peer.StartsWith('#') ? c.Peer : Core.Identity.DeviceId.Parse(c.Peer).ToString(),
                lastText = c.LastText.Length > 200 ? c.LastText[..200] : c.LastText,
                lastAt = c.LastAt,
                lastOutgoing = c.LastOutgoing,
                unread = c.Unread,
            });
        });
        api.MapPost("/conversations/{peer}/read", async (string peer) =>
        {
            var key = IsRoom(peer) ? Rooms.RoomChat.ConversationKey(Uri.UnescapeDataString(peer)) : Resolve(node, peer).Compact;
            await node.Store.MarkReadAsync(key).ConfigureAwait(false);
            return Results.NoContent();
        });
        app.MapFallback("{**path}", async context =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) || !await WebAssets.TryServeAsync(context).ConfigureAwait(false))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsJsonAsync(new { error = $"no such page or call: {context.Request.Method} {context.Request.Path}" }).ConfigureAwait(false);
            }
        });
    }
}
