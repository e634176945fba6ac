using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Files;

/// <summary>
/// File and folder transfer: <see cref="FileTransferService"/> (the peer feature), its sending and
/// receiving parts, browser uploads (<see cref="Outbox"/>), and the <c>/api/transfers</c>,
/// <c>/api/offers</c> and <c>/api/uploads</c> routes. Needs from the node: <see cref="NodeOptions"/>,
/// <see cref="TimeProvider"/>, <see cref="NodeStore"/>, <see cref="Contacts.ContactBook"/>,
/// <see cref="Events.EventHub"/>, <see cref="IPeerSessions"/> and an <c>ILoggerFactory</c>.
/// </summary>
public sealed class FilesModule : INodeModule
{
    public void AddServices(IServiceCollection services)
    {
        // The store's seams, unless the root registered them itself (as instances: a provider disposes
        // what a factory returns, and NodeStore must be disposed once, by its owner).
        services.TryAddSingleton<ISettingStore>(sp => sp.GetRequiredService<NodeStore>());
        services.TryAddSingleton<ITransferStore>(sp => sp.GetRequiredService<NodeStore>());
        Chat.ConversationEntries.AddTo(services); // transfers are entries of the conversation with the peer
        services.TryAddSingleton(new TransferOptions());
        services.AddSingleton<TransferBook>();
        services.AddSingleton<FileSettings>();
        services.AddSingleton<TransferViews>();
        services.AddSingleton<TransferRecorder>();
        services.AddSingleton<OutgoingStreams>();
        services.AddSingleton<IncomingFiles>();
        services.AddSingleton<TransferFinisher>();
        services.AddSingleton<BlockStreamer>();
        services.AddSingleton<FileSender>();
        services.AddSingleton<DiskFullPause>();
        services.AddSingleton<FileLanding>();
        services.AddSingleton<ReceiveResumer>();
        services.AddSingleton<FileReceiver>();
        services.AddSingleton<BundleReceiver>();
        services.AddSingleton<BlockReceiver>();
        services.AddSingleton<ReceivePipeline>();
        services.AddSingleton(sp => new FileTransferService(
            sp.GetRequiredService<TransferBook>(), sp.GetRequiredService<ITransferStore>(), sp.GetRequiredService<FileSender>(),
            sp.GetRequiredService<FileReceiver>(), sp.GetRequiredService<BlockReceiver>(), sp.GetRequiredService<ReceiveResumer>(),
            sp.GetRequiredService<TransferFinisher>(), sp.GetRequiredService<OutgoingStreams>(), sp.GetRequiredService<IncomingFiles>(),
            sp.GetRequiredService<FileLanding>(), sp.GetRequiredService<FileSettings>(), sp.GetRequiredService<ReceivePipeline>()));
        services.AddSingleton<IPeerFeature>(sp => sp.GetRequiredService<FileTransferService>());
        services.AddSingleton<OutboxFolder>();
        services.AddSingleton<ITransferEndHandler>(sp => sp.GetRequiredService<OutboxFolder>());
        services.AddSingleton<Outbox>();
        services.AddSingleton<TransferProgressReporter>();
        services.AddSingleton<PausedTransferWatcher>();
        // Started in this order, stopped in reverse: transfers load before the outbox clears what no
        // transfer reads from, and the loops stop before the service lands what is left.
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<FileTransferService>());
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<OutboxFolder>());
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<TransferProgressReporter>());
        services.AddSingleton<INodeService>(sp => sp.GetRequiredService<PausedTransferWatcher>());
    }

    public void MapEndpoints(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        FilesEndpoints.Map(api);
        UploadEndpoints.Map(api);
    }
}
