using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Parley.Node.Api;

/// <summary>The node's own routes (status, stop, name, invite, events) and the web UI's sign-in; the server itself is set up by the root.</summary>
public sealed class ApiModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        NodeEndpoints.Map(api);
        SettingsEndpoints.Map(api);
        WebEndpoints.Map(app, api);
    }
}
