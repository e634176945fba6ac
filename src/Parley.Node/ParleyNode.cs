using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Node.Api;
using Parley.Node.Calls;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Discovery;
using Parley.Node.Events;
using Parley.Node.Files;
using Parley.Node.Hub;
using Parley.Node.Links;
using Parley.Node.Rooms;
using Parley.Node.Storage;
using Parley.Node.Videos;

namespace Parley.Node;

/// <summary>
/// A running node. <see cref="StartAsync"/> builds it (<see cref="NodeComposition"/>), starts every
/// feature's service in module order, then the local API; <see cref="StopAsync"/> stops them in
/// reverse (links close telling peers why), flushes the store and removes the runtime file. The
/// properties are the services, for the CLI's <c>up</c> verb, tests and benchmarks.
/// </summary>
public sealed class ParleyNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NodeComposition.Loaded _loaded;
    private readonly List<INodeService> _started = [];
    private int _stopped;

    private ParleyNode(NodeOptions options, NodeComposition.Loaded loaded, WebApplication app)
    {
        Options = options;
        _loaded = loaded;
        _app = app;
    }

    /// <summary>The node's services (one container shared with the API).</summary>
    public IServiceProvider Services => _app.Services;

    public NodeOptions Options { get; }

    public NodeIdentity Identity => _loaded.Identity;

    public DeviceId DeviceId => Identity.DeviceId;

    public string Name => _loaded.Profile.Name;

    public NodeStore Store => _loaded.Store;

    public ContactBook Contacts => _loaded.Contacts;

    public EventHub Events => Get<EventHub>();

    public NearbyList Nearby => Get<NearbyList>();

    public LinkManager Links => Get<LinkManager>();

    public ChatService Chat => Get<ChatService>();

    public FileTransferService Files => Get<FileTransferService>();

    internal Outbox Outbox => Get<Outbox>();

    internal HubConnection Hub => Get<HubConnection>();

    internal HubPresence HubMembers => Get<HubPresence>();

    internal DirectoryLookup HubDirectory => Get<DirectoryLookup>();

    internal RelayDialer Relay => Get<RelayDialer>();

    internal MailReceiver MailReceiver => Get<MailReceiver>();

    internal RoomMembership Rooms => Get<RoomMembership>();

    internal RoomChat RoomChat => Get<RoomChat>();

    internal CallService Calls => Get<CallService>();

    public VideoService Videos => Get<VideoService>();

    public int PeerPort => Links.ListenPort;

    public Uri ApiUrl => _loaded.Api.Url;

    public string ApiKey => _loaded.Api.ApiKey;

    public bool DiscoveryEnabled => Get<DiscoveryService>().Enabled;

    /// <summary>Completes when something (the API's stop call) asks the node to stop.</summary>
    public Task StopRequested => Get<NodeLifetime>().StopRequested;

    /// <summary>Cancelled when the node is asked to stop, so long-lived requests (the event stream) end at once.</summary>
    public CancellationToken Stopping => Get<NodeLifetime>().Stopping;

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public void RequestStop() => Get<NodeLifetime>().RequestStop();

    /// <summary>A one-time link that signs a browser in to the web UI; it works once, within two minutes.</summary>
    public Uri CreateLoginUrl() => Get<WebSessions>().CreateLoginUrl(ApiUrl);

    /// <summary>An invite with every LAN address this node can be reached at.</summary>
    public Invite CreateInvite() => Get<NodeInvites>().Create();

    public async Task SetNameAsync(string name)
    {
        await _loaded.Profile.SetNameAsync(name).ConfigureAwait(false);
        Get<EntryPublisher>().Republish();
    }

    /// <summary>Turns LAN discovery on or off now, and remembers the choice for the next start.</summary>
    public Task SetDiscoveryAsync(bool enabled) => Get<DiscoveryService>().SetEnabledAsync(enabled);

    public static async Task<ParleyNode> StartAsync(NodeOptions options, ILoggerFactory loggerFactory)
    {
        var loaded = await NodeComposition.LoadAsync(options).ConfigureAwait(false);
        var node = new ParleyNode(options, loaded, NodeComposition.Build(options, loaded, loggerFactory));
        try
        {
            await node.StartServicesAsync().ConfigureAwait(false);
        }
        catch
        {
            await node.StopAsync().ConfigureAwait(false);
            throw;
        }
        return node;
    }

    private async Task StartServicesAsync()
    {
        foreach (var service in _app.Services.GetServices<INodeService>())
        {
            _started.Add(service);
            await service.StartAsync(Stopping).ConfigureAwait(false);
        }
        await ApiServer.StartAsync(_app, Options).ConfigureAwait(false);
        var runtime = new RuntimeInfo(ApiUrl.ToString().TrimEnd('/'), Environment.ProcessId, DeviceId.ToString(), PeerPort);
        NodeIdentity.WriteOwnerOnly(HomeFolder.RuntimePath(Options.Home), JsonSerializer.Serialize(runtime, EventHub.Json));
    }

    /// <summary>Stops every service in reverse start order (links close with <paramref name="reason"/>), then the API, then the store. Safe to call twice.</summary>
    public async Task StopAsync(string reason = "shutting down")
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        Get<NodeLifetime>().RequestStop(reason);
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync().ConfigureAwait(false);
        }
        await ApiServer.StopAsync(_app).ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        File.Delete(HomeFolder.RuntimePath(Options.Home));
        Identity.Dispose();
        _loaded.Agreement.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
