using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Node.Api;
using Parley.Node.Contacts;
using Parley.Node.Discovery;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node;

/// <summary>
/// Builds the node in one place: one container (the API's, so routes take services as parameters)
/// holding what every feature shares, then each module's services and routes. Nothing is wired by
/// assigning callbacks afterwards; what a service needs, its constructor says.
/// </summary>
internal static class NodeComposition
{
    /// <summary>What is loaded from the home folder before anything is built (files and the store are read once, here).</summary>
    public sealed record Loaded(NodeIdentity Identity, AgreementKey Agreement, NodeStore Store, ContactBook Contacts, NodeProfile Profile, ApiAddress Api);

    public static async Task<Loaded> LoadAsync(NodeOptions options)
    {
        var identity = NodeIdentity.LoadOrCreate(options.Home);
        var agreement = AgreementKey.LoadOrCreate(options.Home);
        var store = NodeStore.Open(options.Home);
        var contacts = await ContactBook.LoadAsync(store, options.TimeProvider).ConfigureAwait(false);
        var profile = await NodeProfile.LoadAsync(store, options.Name).ConfigureAwait(false);
        return new Loaded(identity, agreement, store, contacts, profile, ApiAddress.LoadOrCreate(options.Home));
    }

    public static WebApplication Build(NodeOptions options, Loaded loaded, ILoggerFactory loggerFactory)
    {
        // No watching appsettings files for changes: the node reads none, and each watcher holds an
        // inotify instance (a process running many nodes, as the tests do, runs out at 128).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        // The whole graph is checked when the container is built: a service nobody registered, or a
        // cycle, fails at start rather than on the first request that needs it.
        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.TimeProvider);
        services.AddSingleton(loggerFactory);
        services.AddSingleton(loaded.Identity);
        services.AddSingleton(loaded.Agreement);
        services.AddSingleton(loaded.Store);
        services.AddSingleton(loaded.Contacts);
        services.AddSingleton(loaded.Profile);
        services.AddSingleton(loaded.Api);
        services.AddSingleton<EventHub>();
        services.AddSingleton<NodeLifetime>();
        services.AddSingleton(sp => new NearbyList(options.TimeProvider, options.AnnounceInterval * 3));
        services.AddSingleton<NodeInvites>();
        foreach (var module in NodeModules.All)
        {
            module.AddServices(services);
        }
        ApiServer.Configure(builder, options);
        var app = builder.Build();
        ApiServer.UseGuards(app);
        var api = app.MapGroup("/api");
        foreach (var module in NodeModules.All)
        {
            module.MapEndpoints(app, api);
        }
        WebEndpoints.MapPageFiles(app);
        return app;
    }
}
