using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>
/// 1:1 calls: signalling over the peers' links, media over UDP on the peer port (or the link), the
/// calls API and the page's media channel. Comes after Links: the media socket takes the port the
/// link listener got. Started in this order, stopped in reverse: every call is hung up (the links
/// still up to say so), then the clock stops, then the socket closes.
/// </summary>
public sealed class CallsModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<MediaSocket>();
        services.AddSingleton<IMediaSocket>(sp => sp.GetRequiredService<MediaSocket>());
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<MediaSocket>());
        services.AddSingleton<CallBook>();
        services.AddSingleton<CallMediaPaths>();
        services.AddSingleton<CallPunching>();
        services.AddSingleton<CallRelaying>();
        // Relay candidates, in the order a call prefers them: the hub's UDP relay first (TURN servers register after it).
        services.AddSingleton<IMediaRelayFactory, HubMediaRelayFactory>();
        // After the hub's relay: TURN servers the node was given (`parley up --turn`), tried in their order.
        services.AddSingleton<IMediaRelayFactory>(sp => sp.GetRequiredService<Traversal.TurnServers>());
        services.AddSingleton<PageTurnSocket>();
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<PageTurnSocket>());
        services.AddSingleton<CallSignals>();
        Chat.ConversationEntries.AddTo(services); // ended calls are entries of the conversation with the peer
        services.AddSingleton<CallHistory>();
        services.AddSingleton<CallLifecycle>();
        services.AddSingleton<CallClock>();
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<CallClock>());
        services.AddSingleton<CallService>();
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<CallService>());
        services.AddSingleton<CallSignalling>();
        services.AddSingleton<IPeerFeature>(sp => sp.GetRequiredService<CallSignalling>());
        services.AddSingleton<Contacts.ICallPaths, CallPathLookup>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => CallsEndpoints.Map(api);
}
