using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Parley.Node.Links;

/// <summary>Peer links: the manager (listen, dial, consent, one link per peer) and the frame router built from every <see cref="IPeerFeature"/>.</summary>
public sealed class LinksModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<LinkManager>();
        services.AddSingleton<IPeerSessions>(sp => sp.GetRequiredService<LinkManager>());
        services.AddSingleton(sp => new FrameRouter(sp.GetServices<IPeerFeature>()));
        services.AddSingleton<INodeService, LinksService>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
    }
}
