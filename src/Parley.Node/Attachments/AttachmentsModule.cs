using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Node.Chat;
using Parley.Node.Hub;
using Parley.Node.Links;

namespace Parley.Node.Attachments;

/// <summary>Attachments in 1:1 chats and rooms: the node's store, the hub blob client, sending, fetching, saving, and their routes.</summary>
public sealed class AttachmentsModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<AttachmentBook>();
        services.AddSingleton<AttachmentReceiver>();
        HubModule.AddFeature<BlobClient>(services);
        services.AddSingleton<AttachmentLink>();
        services.AddSingleton<IPeerFeature>(sp => sp.GetRequiredService<AttachmentLink>());
        services.AddSingleton<IPendingAttachments>(sp => sp.GetRequiredService<AttachmentLink>());
        services.AddSingleton<AttachmentService>();
        services.AddSingleton<IAttachmentSender>(sp => sp.GetRequiredService<AttachmentService>());
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api) => AttachmentsEndpoints.Map(api);
}
