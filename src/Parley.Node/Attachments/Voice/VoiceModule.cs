using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Parley.Node.Attachments.Voice;

/// <summary>
/// Voice messages: the encoder (ffmpeg) and <c>POST /api/voice/{conversation}</c>. Sending goes through
/// the attachments feature's <see cref="IAttachmentSender"/>, so this module comes after it.
/// </summary>
public sealed class VoiceModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.TryAddSingleton(new VoiceOptions());
        services.AddSingleton<VoiceEncoder>();
        services.AddSingleton<VoiceMessages>();
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<VoiceMessages>());
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => VoiceEndpoints.Map(api);
}
