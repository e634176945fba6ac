using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Files;
using Parley.Node.Links;
using Parley.Node.Storage;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Files;

/// <summary>
/// The Files module alone, built by its own registrations over fakes: links that record frames, a
/// transfer store in memory. No TLS, no Kestrel; the contact book still sits on a store in a temporary home.
/// </summary>
internal sealed class FilesRig : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly NodeStore _store;
    private readonly string _home;
    private readonly List<NodeIdentity> _identities = [];

    private FilesRig(string home, NodeStore store, ServiceProvider provider)
    {
        _home = home;
        _store = store;
        _provider = provider;
    }

    public FakeSessions Sessions => _provider.GetRequiredService<FakeSessions>();

    public FakeTransferStore Transfers => _provider.GetRequiredService<FakeTransferStore>();

    public FileTransferService Feature => Get<FileTransferService>();

    public TransferBook Book => Get<TransferBook>();

    public string Home => _home;

    public static async Task<FilesRig> StartAsync(TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var home = Directory.CreateTempSubdirectory("parley-files-rig-").FullName;
        var store = NodeStore.Open(home);
        var services = new ServiceCollection()
            .AddSingleton(new NodeOptions { Home = home }).AddSingleton(time).AddSingleton(store)
            .AddSingleton(await ContactBook.LoadAsync(store, time)).AddSingleton(new EventHub())
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton<FakeSessions>().AddSingleton<IPeerSessions>(sp => sp.GetRequiredService<FakeSessions>())
            .AddSingleton<FakeTransferStore>().AddSingleton<ITransferStore>(sp => sp.GetRequiredService<FakeTransferStore>())
            .AddSingleton<ISettingStore, FakeSettingStore>();
        new FilesModule().AddServices(services);
        return new FilesRig(home, store, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public DeviceId NewPeer()
    {
        var identity = NodeIdentity.CreateEphemeral();
        _identities.Add(identity);
        return identity.DeviceId;
    }

    /// <summary>A transfer the book holds with <paramref name="peer"/>, of one file per size.</summary>
    public Transfer Add(DeviceId peer, bool outgoing, TransferState state, params long[] sizes)
    {
        var files = sizes.Select((size, i) => new TransferFile(i, $"f{i}", size, outgoing ? "/nonexistent" : null)).ToList();
        var transfer = new Transfer(Guid.CreateVersion7(), peer.Compact, outgoing, files, DateTimeOffset.UnixEpoch) { State = state };
        Book.Add(transfer);
        return transfer;
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _store.DisposeAsync();
        foreach (var identity in _identities)
        {
            identity.Dispose();
        }
        Directory.Delete(_home, recursive: true);
    }
}
