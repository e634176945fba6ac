using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Hub;

namespace Parley.Node.Traversal;

/// <summary>
/// Ways through NATs that are not the hub's relay: port mapping on the local router (NAT-PMP/PCP,
/// UPnP-IGD) and telling the hub where it forwards; TURN servers the node was given (allocations are
/// made per call).
/// </summary>
public sealed class TraversalModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<PortMappingService>();
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<PortMappingService>());
        services.AddSingleton<IMediaPortMapper>(sp => sp.GetRequiredService<PortMappingService>());
        HubModule.AddFeature<ReachabilityPublisher>(services);
        services.AddSingleton<TurnServers>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
    }
}
