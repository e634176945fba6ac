using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>1:1 chat: the service (a peer feature owning the chat frames) and the conversation routes.</summary>
public sealed class ChatModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<IChatStore>(sp => sp.GetRequiredService<NodeStore>());
        services.AddSingleton<ChatService>();
        ConversationEntries.AddTo(services);
        services.AddSingleton<IPeerFeature>(sp => sp.GetRequiredService<ChatService>());
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => ChatEndpoints.Map(api);
}
