using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Parley.Node.Contacts;

/// <summary>The contact book (loaded before the node is built), looking peers up by what the user typed, and the people routes.</summary>
public sealed class ContactsModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<PeerLookup>();
        services.AddSingleton<PeerViews>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => ContactsEndpoints.Map(api);
}
