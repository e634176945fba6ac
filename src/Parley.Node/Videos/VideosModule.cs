using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Links;
using Parley.Node.Videos.Thumbnails;

namespace Parley.Node.Videos;

/// <summary>The video library: sharing a folder with contacts, and watching theirs.</summary>
public sealed class VideosModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<VideoAccess>();
        services.AddSingleton<VideoThumbnails>();
        services.AddSingleton<VideoSharing>();
        services.AddSingleton<VideoOwner>();
        services.AddSingleton<VideoViewer>();
        services.AddSingleton<PlayLinks>();
        services.AddSingleton<PlayerStreams>();
        services.AddSingleton<VideoService>();
        services.AddSingleton<IPeerFeature>(sp => sp.GetRequiredService<VideoService>());
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<VideoService>());
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => VideosEndpoints.Map(app, api);
}
