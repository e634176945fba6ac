using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Files;

/// <summary>
/// Until the node's composition root builds every module, <see cref="ParleyNode"/> starts this one
/// alone: <see cref="FilesModule"/>'s own registrations over the node's shared services, started in
/// order and stopped in reverse. Goes when the root lands.
/// </summary>
internal sealed class StandaloneFiles : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<INodeService> _started = [];

    private StandaloneFiles(ServiceProvider provider)
    {
        _provider = provider;
        Files = provider.GetRequiredService<FileTransferService>();
        Outbox = provider.GetRequiredService<Outbox>();
    }

    public FileTransferService Files { get; }

    public Outbox Outbox { get; }

    public static async Task<StandaloneFiles> StartAsync(NodeOptions options, NodeStore store, ContactBook contacts, LinkManager links,
        EventHub events, ILoggerFactory loggerFactory)
    {
        var services = new ServiceCollection()
            .AddSingleton(options).AddSingleton(options.TimeProvider).AddSingleton(store).AddSingleton(contacts).AddSingleton(events)
            .AddSingleton<IPeerSessions>(links).AddSingleton(loggerFactory)
            .AddSingleton<ITransferStore>(store).AddSingleton<ISettingStore>(store);
        new FilesModule().AddServices(services);
        var files = new StandaloneFiles(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
        foreach (var service in files._provider.GetServices<INodeService>())
        {
            await service.StartAsync(CancellationToken.None).ConfigureAwait(false);
            files._started.Add(service);
        }
        return files;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_started))
        {
            await service.StopAsync().ConfigureAwait(false);
        }
        await _provider.DisposeAsync().ConfigureAwait(false);
    }
}
