using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Node.Api;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Discovery;
using Parley.Node.Events;
using Parley.Node.Files;
using Parley.Node.Hub;
using Parley.Node.Links;
using Parley.Node.Rooms;
using Parley.Node.Storage;

namespace Parley.Node;

/// <summary>
/// A running node: identity, store, peer links, LAN discovery, chat and the local API, wired
/// together. <see cref="StartAsync"/> brings it up; <see cref="StopAsync"/> closes links with a
/// reason, flushes the store and removes the runtime file.
/// </summary>
public sealed class ParleyNode : IAsyncDisposable
{
    private const string NameSetting = "name";
    private const string DiscoverySetting = "discovery";
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly SemaphoreSlim _discoveryGate = new(1, 1);
    private LanDiscovery? _discovery;
    private ApiServer? _api;
    private int _stopped;
    private volatile string _name;

    private ParleyNode(NodeOptions options, NodeIdentity identity, AgreementKey agreement, NodeStore store, ContactBook contacts, string name, ILoggerFactory loggerFactory)
    {
        Options = options;
        Identity = identity;
        _agreement = agreement;
        Store = store;
        Contacts = contacts;
        _name = name;
        _loggerFactory = loggerFactory;
        Nearby = new NearbyList(options.TimeProvider, options.AnnounceInterval * 3);
        // The hub's side, in dependency order (HubModule and RoomsModule register the same for the composition root).
        var time = options.TimeProvider;
        var channel = new HubChannel();
        HubDirectory = new DirectoryLookup(channel, time);
        var verified = new VerifiedDirectory(HubDirectory);
        HubMembers = new HubPresence(identity, verified, new HubAddressLearner(contacts), Events);
        Relay = new RelayDialer(channel, HubMembers, time);
        Links = new LinkManager(identity, options, contacts, Events, loggerFactory, () => _name, Relay);
        var mailDrop = new MailDrop(identity, channel, HubMembers, verified, HubDirectory, time);
        Chat = new ChatService(store, contacts, Links, Events, time, loggerFactory, mailDrop);
        MailReceiver = new MailReceiver(identity, agreement, contacts, Chat);
        var rooms = new RoomBook(identity, store, verified);
        RoomChat = new RoomChat(identity, channel, verified, rooms, store, Events, time, loggerFactory);
        var keys = new RoomKeys(identity, agreement, channel, verified, rooms, RoomChat, loggerFactory);
        var commands = new RoomCommands(channel, time);
        Rooms = new RoomMembership(commands, rooms, keys, RoomChat, loggerFactory);
        _entry = new EntryPublisher(identity, agreement, channel, () => _name, time);
        var router = new HubFrameRouter([HubMembers, HubDirectory, new RelayTickets(Relay, contacts, Links), mailDrop, MailReceiver, commands, Rooms, keys, RoomChat]);
        Hub = new HubConnection(channel, new HubDialer(identity, options, Links, () => _name, loggerFactory), router, _entry, store, Events, options, loggerFactory);
        Links.FrameReceived = (session, frame) => (byte)frame.Type switch
        {
            < 0x20 => Chat.OnFrameAsync(session, frame),
            >= 0x30 and < 0x40 => Videos.OnFrameAsync(session, frame),
            >= 0x60 and < 0x70 => Calls?.OnFrameAsync(session, frame) ?? ValueTask.CompletedTask, // a ring arriving before start-up made Calls is dropped; the caller sees no answer
            _ => Files.OnFrameAsync(session, frame),
        };
        Links.SessionOpened = async session =>
        {
            await Chat.SendPendingAsync(session).ConfigureAwait(false);
            await Files.OnSessionOpenedAsync(session).ConfigureAwait(false);
            if (Calls is not null)
            {
                await Calls.OnSessionOpenedAsync(session).ConfigureAwait(false);
            }
        };
    }

    public NodeOptions Options { get; }

    public NodeIdentity Identity { get; }

    public DeviceId DeviceId => Identity.DeviceId;

    public string Name => _name;

    public NodeStore Store { get; }

    public ContactBook Contacts { get; }

    public EventHub Events { get; } = new();

    public NearbyList Nearby { get; }

    public LinkManager Links { get; }

    public ChatService Chat { get; }

    public FileTransferService Files { get; private set; } = null!;

    internal HubConnection Hub { get; }

    internal HubPresence HubMembers { get; }

    internal DirectoryLookup HubDirectory { get; }

    internal RelayDialer Relay { get; }

    internal MailReceiver MailReceiver { get; }

    /// <summary>1:1 calls: signalling over links, media over UDP.</summary>
    public Parley.Node.Calls.CallService Calls { get; private set; } = null!;

    /// <summary>The shared video folder and the viewer of peers' libraries.</summary>
    public Parley.Node.Videos.VideoService Videos { get; private set; } = null!;

    internal RoomMembership Rooms { get; }

    internal RoomChat RoomChat { get; }

    /// <summary>Files handed over by the web UI, staged for sending.</summary>
    public Outbox Outbox { get; private set; } = null!;

    private readonly AgreementKey _agreement;
    private readonly EntryPublisher _entry;

    public int PeerPort => Links.ListenPort;

    public Uri ApiUrl => _api?.Url ?? throw new InvalidOperationException("the API is not started");

    public string ApiKey { get; private set; } = "";

    /// <summary>A one-time link that signs a browser in to the web UI; it works once, within two minutes.</summary>
    public Uri CreateLoginUrl() => _api?.CreateLoginUrl() ?? throw new InvalidOperationException("the API is not started");

    public bool DiscoveryEnabled => _discovery is not null;

    /// <summary>Completes when something (the API's stop call) asks the node to stop.</summary>
    public Task StopRequested => _stopRequested.Task;

    /// <summary>Cancelled when the node is asked to stop, so long-lived requests (the event stream) end at once.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void RequestStop()
    {
        _stopRequested.TrySetResult();
        _stopping.Cancel();
    }

    public static async Task<ParleyNode> StartAsync(NodeOptions options, ILoggerFactory loggerFactory)
    {
        var identity = NodeIdentity.LoadOrCreate(options.Home);
        var store = NodeStore.Open(options.Home);
        var name = options.Name ?? await store.GetSettingAsync(NameSetting).ConfigureAwait(false) ?? DefaultName();
        await store.SetSettingAsync(NameSetting, name).ConfigureAwait(false);
        var contacts = await ContactBook.LoadAsync(store, options.TimeProvider).ConfigureAwait(false);
        var node = new ParleyNode(options, identity, AgreementKey.LoadOrCreate(options.Home), store, contacts, name, loggerFactory);
        node.Files = await FileTransferService.LoadAsync(store, contacts, node.Links, node.Events, options.TimeProvider, loggerFactory, options.Home)
            .ConfigureAwait(false);
        node.Outbox = new Outbox(node.Files, options.Home);
        node.Videos = await Parley.Node.Videos.VideoService.LoadAsync(store, contacts, node.Links, options.TimeProvider, loggerFactory, options.VideosFolder)
            .ConfigureAwait(false);
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

    private static string DefaultName()
    {
        var user = Environment.UserName;
        return string.IsNullOrWhiteSpace(user) ? "parley" : user;
    }

    private async Task StartServicesAsync()
    {
        ApiKey = LoadOrCreateApiKey(Options.Home);
        Links.Start();
        Calls = new Parley.Node.Calls.CallService(Contacts, Links, Events,
            new Parley.Node.Calls.MediaSocket(Options.PeerBindAddress, PeerPort, Options.TimeProvider, _loggerFactory), Options.MediaOverUdp, Options.TimeProvider, _loggerFactory);
        Links.SessionClosed = Calls.OnPeerOffline;
        if (Options.Discovery && await Store.GetSettingAsync(DiscoverySetting).ConfigureAwait(false) != "off")
        {
            StartDiscovery();
        }
        _api = new ApiServer(this, _loggerFactory);
        await _api.StartAsync().ConfigureAwait(false);
        await Hub.StartAsync(Stopping).ConfigureAwait(false);
        var runtime = new RuntimeInfo(ApiUrl.ToString().TrimEnd('/'), Environment.ProcessId, DeviceId.ToString(), PeerPort);
        NodeIdentity.WriteOwnerOnly(HomeFolder.RuntimePath(Options.Home), JsonSerializer.Serialize(runtime, EventHub.Json));
    }

    private void StartDiscovery()
    {
        _discovery = new LanDiscovery(() => new Announcement(DeviceId, (ushort)PeerPort, _name), Options.DiscoveryPort,
            Options.AnnounceInterval, Nearby, OnSighted, Options.TimeProvider, _loggerFactory);
        _discovery.Start();
    }

    /// <summary>Turns LAN discovery on or off now, and remembers the choice for the next start.</summary>
    public async Task SetDiscoveryAsync(bool enabled)
    {
        await _discoveryGate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stopped != 0, this);
            await Store.SetSettingAsync(DiscoverySetting, enabled ? "on" : "off").ConfigureAwait(false);
            if (enabled && _discovery is null)
            {
                StartDiscovery();
            }
            else if (!enabled && _discovery is { } running)
            {
                _discovery = null;
                await running.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _discoveryGate.Release();
        }
    }

    /// <summary>A contact heard on the LAN: remember where it is and dial it now if not linked.</summary>
    private void OnSighted(NearbyPeer peer)
    {
        if (Contacts.Find(peer.DeviceId) is { State: PeerState.Contact } contact && Links.Session(peer.DeviceId) is null)
        {
            var address = peer.Endpoint.ToString();
            if (contact.Address?.StartsWith(address, StringComparison.Ordinal) != true)
            {
                _ = Contacts.UpdateAsync(peer.DeviceId, r => r with { Address = LinkManager.MergeAddress(address, r.Address) });
            }
            Links.DialSoon(peer.DeviceId);
        }
    }

    private static string LoadOrCreateApiKey(string home)
    {
        var path = HomeFolder.ApiKeyPath(home);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32)
            {
                return existing;
            }
        }
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        NodeIdentity.WriteOwnerOnly(path, key);
        return key;
    }

    public async Task SetNameAsync(string name)
    {
        _name = name;
        await Store.SetSettingAsync(NameSetting, name).ConfigureAwait(false);
        _entry.Republish();
    }

    /// <summary>An invite with every LAN address this node can be reached at.</summary>
    public Invite CreateInvite() => new(DeviceId, _name, LocalAddresses.IPv4(PeerPort, withLoopback: false));

    /// <summary>Closes links telling peers why, stops discovery and the API, flushes the store. Safe to call twice.</summary>
    public async Task StopAsync(string reason = "shutting down")
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        RequestStop();
        if (Calls is not null)
        {
            await Calls.DisposeAsync().ConfigureAwait(false);
        }
        await Hub.StopAsync().ConfigureAwait(false);
        await Links.StopAsync(reason).ConfigureAwait(false);
        if (Files is not null)
        {
            await Files.DisposeAsync().ConfigureAwait(false);
        }
        if (Videos is not null)
        {
            await Videos.DisposeAsync().ConfigureAwait(false);
        }
        await _discoveryGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_discovery is not null)
            {
                await _discovery.DisposeAsync().ConfigureAwait(false);
                _discovery = null;
            }
        }
        finally
        {
            _discoveryGate.Release();
        }
        if (_api is not null)
        {
            await _api.DisposeAsync().ConfigureAwait(false);
        }
        await Store.DisposeAsync().ConfigureAwait(false);
        File.Delete(HomeFolder.RuntimePath(Options.Home));
        Identity.Dispose();
        _agreement.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
