using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Events;

namespace Parley.Node.Api;

/// <summary>
/// The node's HTTP JSON API, WebSocket event stream and web UI on 127.0.0.1 only. The routes are
/// each feature's (<c>&lt;Feature&gt;/&lt;Feature&gt;Endpoints.cs</c>), mapped by its module; here are
/// the listener, the guards every request passes, and starting and stopping.
/// </summary>
internal static class ApiServer
{
    /// <summary>Largest request body: a 64 KiB message JSON-escaped fits with room. 1 MiB.</summary>
    public const long MaxRequestBodyBytes = 1 << 20;

    /// <summary>Kestrel on loopback with the body cap; the API's own services (sessions, guards).</summary>
    public static void Configure(WebApplicationBuilder builder, NodeOptions options)
    {
        builder.Services.AddSingleton<WebSessions>();
        builder.Services.AddSingleton(new RefusalPage(options.Home));
        builder.Services.AddSingleton(sp => new ApiSecurity(sp.GetRequiredService<ApiAddress>(), sp.GetRequiredService<WebSessions>(), sp.GetRequiredService<RefusalPage>()));
        builder.Services.Configure<JsonOptions>(o =>
        {
            foreach (var converter in EventHub.Json.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
        });
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.ApiPort);
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
    }

    /// <summary>What every request passes before its route: Host, Origin and credentials, then errors turned into JSON.</summary>
    public static void UseGuards(WebApplication app)
    {
        // The guard runs before UseWebSockets, so it tells a WebSocket handshake by its headers.
        app.Use(app.Services.GetRequiredService<ApiSecurity>().InvokeAsync);
        app.Use(ApiErrors.InvokeAsync);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
    }

    public static async Task StartAsync(WebApplication app, NodeOptions options)
    {
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"cannot serve the API on 127.0.0.1:{options.ApiPort}: {e.Message} (choose another with --api-port)", e);
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        app.Services.GetRequiredService<ApiAddress>().Bound(new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public static async Task StopAsync(WebApplication app)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await app.StopAsync(timeout.Token).ConfigureAwait(false);
    }
}
