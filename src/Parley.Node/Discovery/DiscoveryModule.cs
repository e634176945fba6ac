using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Parley.Node.Discovery;

/// <summary>LAN discovery: the nearby list (registered by the root: contacts and the API read it too) and the announcer.</summary>
public sealed class DiscoveryModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<DiscoveryService>();
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<DiscoveryService>());
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
    }
}
