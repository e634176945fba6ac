using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Hub;

namespace Parley.Node.Traversal;

/// <summary>Port mapping on the local router (NAT-PMP/PCP, UPnP-IGD), and telling the hub where it forwards.</summary>
public sealed class TraversalModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<PortMappingService>();
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<PortMappingService>());
        services.AddSingleton<IMediaPortMapper>(sp => sp.GetRequiredService<PortMappingService>());
        HubModule.AddFeature<ReachabilityPublisher>(services);
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
    }
}
