using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>
/// End-to-end encrypted group chat in hub rooms: membership and commands, sender keys and rekeying,
/// messages and history. Each part that takes frames from the hub is a hub feature; needs <c>HubModule</c>.
/// </summary>
public sealed class RoomsModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<RoomBook>();
        services.AddSingleton<RoomAdmission>();
        services.AddSingleton<RoomOwnership>();
        HubModule.AddFeature<RoomCommands>(services);
        HubModule.AddFeature<RoomMembership>(services);
        services.AddSingleton<RoomKeys>();
        services.AddSingleton<RoomNotices>();
        services.AddSingleton<RoomReader>();
        services.AddSingleton<RoomDelivery>();
        HubModule.AddFeature<RoomChat>(services);
        HubModule.AddFeature<RoomInbox>(services);
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<RoomInbox>());
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => RoomsEndpoints.Map(api);
}
