using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Hub;

namespace Parley.Node.RoomCalls;

/// <summary>Room calls through the hub's forwarding unit (the node's side: join, keys, media in and out). Needs <c>HubModule</c>.</summary>
public sealed class RoomCallsModule : INodeModule
{
    public void AddServices(IServiceCollection services) => HubModule.AddFeature<RoomCallMember>(services);

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
    }
}
