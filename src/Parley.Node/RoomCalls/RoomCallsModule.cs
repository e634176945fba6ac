using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Hub;

namespace Parley.Node.RoomCalls;

/// <summary>
/// Room calls through the hub's forwarding unit: the node's side of the hub protocol (join, keys,
/// media in and out: <see cref="RoomCallMember"/>), the call this node is in (<see cref="RoomCallService"/>)
/// and its API and page media channel. Needs <c>HubModule</c>.
/// </summary>
public sealed class RoomCallsModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        HubModule.AddFeature<RoomCallMember>(services);
        services.AddSingleton<RoomCallService>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => RoomCallsEndpoints.Map(api);
}
