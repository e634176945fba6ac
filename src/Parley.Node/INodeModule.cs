using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Parley.Node;

/// <summary>
/// One per feature folder: what the feature adds to the node. The node's composition root
/// (<see cref="NodeModules"/>) lists the modules; adding a feature is one line there.
/// </summary>
public interface INodeModule
{
    /// <summary>Registers the feature's services as singletons (a peer feature also as <c>IPeerFeature</c>,
    /// anything with start-up or shut-down work also as <see cref="INodeService"/>).</summary>
    void AddServices(IServiceCollection services);

    /// <summary>Maps the feature's local API routes; handlers take services as parameters.</summary>
    void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api);
}

/// <summary>A service with work at start (load state, open sockets) and at stop (close them), run in module order and stopped in reverse.</summary>
public interface INodeService
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync();
}
