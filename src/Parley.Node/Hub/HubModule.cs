using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Chat;
using Parley.Node.Links;

namespace Parley.Node.Hub;

/// <summary>
/// The node's side of the hub: the pinned link (<see cref="HubConnection"/>, a node service), and the
/// hub features it routes frames to — presence, directory lookups, relay, mailbox. Rooms add their
/// own features (<c>RoomsModule</c>). Needs from the root: the node's services and a
/// <c>Func&lt;string&gt;</c> giving the display name (until the root has a profile service).
/// </summary>
public sealed class HubModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<HubChannel>();
        services.AddSingleton<IHubChannel>(sp => sp.GetRequiredService<HubChannel>());
        services.AddSingleton<HubDialer>();
        services.AddSingleton<EntryPublisher>();
        services.AddSingleton(sp => new HubFrameRouter(sp.GetServices<IHubClientFeature>()));
        services.AddSingleton<HubConnection>();
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<HubConnection>());

        services.AddSingleton<HubAddressLearner>();
        AddFeature<HubPresence>(services);
        AddFeature<DirectoryLookup>(services);
        services.AddSingleton<IWhois>(sp => sp.GetRequiredService<DirectoryLookup>());
        services.AddSingleton<VerifiedDirectory>();

        services.AddSingleton<RelayDialer>();
        services.AddSingleton<IRelayDialer>(sp => sp.GetRequiredService<RelayDialer>());
        AddFeature<RelayTickets>(services);
        AddFeature<UdpRelayClient>(services);

        AddFeature<MailDrop>(services);
        services.AddSingleton<IMailDrop>(sp => sp.GetRequiredService<MailDrop>());
        AddFeature<MailReceiver>(services);
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => HubEndpoints.Map(api);

    /// <summary>Registers a hub feature once, as itself and as one of the features the router is built from.</summary>
    internal static void AddFeature<T>(IServiceCollection services) where T : class, IHubClientFeature
    {
        services.AddSingleton<T>();
        services.AddSingleton<IHubClientFeature>(sp => sp.GetRequiredService<T>());
    }
}
