using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Parley.Node.Links;

/// <summary>
/// Peer links: the manager (listen, dial, consent, one link per peer), the frame router built from every
/// <see cref="IPeerFeature"/>, and the upgrade of relayed links to direct ones (direct dials, simultaneous open).
/// </summary>
public sealed class LinksModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<LinkManager>();
        services.AddSingleton<IPeerSessions>(sp => sp.GetRequiredService<LinkManager>());
        services.AddSingleton(sp => new FrameRouter(sp.GetServices<IPeerFeature>()));
        services.AddSingleton<INodeService, LinksService>();
        services.AddSingleton<LinkPunching>();
        services.AddSingleton<IPeerFeature>(sp => sp.GetRequiredService<LinkPunching>());
        services.AddSingleton<INodeService, PathUpgrader>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
    }
}
