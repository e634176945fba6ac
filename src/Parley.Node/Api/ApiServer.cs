using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Node.Events;

namespace Parley.Node.Api;

/// <summary>
/// The node's HTTP JSON API, WebSocket event stream and web UI on 127.0.0.1 only. Endpoints are
/// in <c>ApiEndpoints.*.cs</c>, the page's files in <c>Web/</c>; see docs/architecture.md.
/// </summary>
internal sealed class ApiServer(ParleyNode node, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    /// <summary>Largest request body: a 64 KiB message JSON-escaped fits with room. 1 MiB.</summary>
    public const long MaxRequestBodyBytes = 1 << 20;
    private readonly WebSessions _sessions = new(node.Options.TimeProvider);
    private WebApplication? _app;

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(loggerFactory);
        // Endpoints take the services they need as handler parameters (minimal-API injection).
        builder.Services.AddSingleton(node.Options);
        builder.Services.AddSingleton(node.Options.TimeProvider);
        builder.Services.AddSingleton(node.Identity);
        builder.Services.AddSingleton(node.Store);
        builder.Services.AddSingleton(node.Contacts);
        builder.Services.AddSingleton(node.Events);
        builder.Services.AddSingleton(node.Nearby);
        builder.Services.AddSingleton(node.Links);
        builder.Services.AddSingleton(node.Chat);
        builder.Services.AddSingleton(node.Files);
        builder.Services.AddSingleton(node.Outbox);
        builder.Services.AddSingleton(node.Hub);
        builder.Services.AddSingleton(node.HubMembers);
        builder.Services.AddSingleton(node.HubDirectory);
        builder.Services.AddSingleton(node.Rooms);
        builder.Services.AddSingleton(node.RoomChat);
        builder.Services.AddSingleton(node.Videos);
        builder.Services.AddSingleton(node.Calls);
        builder.Services.Configure<JsonOptions>(o =>
        {
            foreach (var converter in EventHub.Json.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
        });
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, node.Options.ApiPort);
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var port = 0;
        var security = new ApiSecurity(node.ApiKey, () => port, _sessions);
        app.Use(security.InvokeAsync);
        app.Use(ApiErrors.InvokeAsync);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        ApiEndpoints.Map(app, node, _sessions, security);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"cannot serve the API on 127.0.0.1:{node.Options.ApiPort}: {e.Message} (choose another with --api-port)", e);
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        port = Url.Port;
        _app = app;
    }

    /// <summary>A one-time link that signs a browser in to the web UI (see <see cref="WebSessions"/>).</summary>
    public Uri CreateLoginUrl() => new(Url, $"{ApiSecurity.LoginPath.TrimStart('/')}?token={_sessions.CreateLoginToken()}");

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
