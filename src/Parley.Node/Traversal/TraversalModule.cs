using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Parley.Node.Traversal;

/// <summary>Ways through NATs that are not the hub's: TURN servers the node was given. Nothing to start: allocations are made per call.</summary>
public sealed class TraversalModule : INodeModule
{
    public void AddServices(IServiceCollection services) => services.AddSingleton<TurnServers>();

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
    }
}
