using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Identity;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Contacts;

namespace Parley.Node.Api;

/// <summary>Routes of the local API. Each area (peers, chat, files, hub, rooms, uploads, web) has its own partial file.</summary>
internal static partial class ApiEndpoints
{
    // INTERIM: the routes of features whose modules land with their restructuring.
    public static void MapInterim(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        var node = app.ServiceProvider.GetRequiredService<ParleyNode>();
        MapSettings(api, node);
        MapHub(api, node);
        MapRooms(api, node);
    }

}
