using System.Net;
using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// The hub: nodes link to it over the same TLS peer links (pinned to its device ID); its features
/// tell members who is online, keep the signed directory, relay, hold mail and run rooms. It never
/// holds a key that could read what nodes say to each other.
/// </summary>
public sealed class HubServer : IAsyncDisposable
{
    private readonly NodeIdentity _identity;
    private readonly LinkListener _listener;
    private readonly HubDatabase _database;
    private readonly MemberRegistry _members;
    private readonly HubConnections _connections;
    private readonly RoomsFeature _rooms;
    private readonly StunResponder? _stun;
    private readonly UdpRelay _udpRelay;
    private readonly IPAddress? _publicAddress;
    private readonly ClusterState? _cluster;
    private readonly DirectoryStore? _directory;
    private readonly MailboxStore? _mail;

    private HubServer(NodeIdentity identity, LinkListener listener, HubDatabase database, MemberRegistry members, HubConnections connections,
        RelaySwitch relay, DirectoryStore? directory, MailboxStore? mail, RoomsFeature rooms, StunResponder? stun, UdpRelay udpRelay, ClusterState? cluster,
        RoomCallUnit roomCalls)
    {
        RoomCalls = roomCalls;
        _cluster = cluster;
        _stun = stun;
        _publicAddress = udpRelay.PublicAddress;
        _udpRelay = udpRelay;
        _identity = identity;
        _listener = listener;
        _database = database;
        _members = members;
        _connections = connections;
        _rooms = rooms;
        Relay = relay;
        _directory = directory;
        _mail = mail;
    }

    public DeviceId DeviceId => _identity.DeviceId;

    public int Port => _listener.Port;

    /// <summary>Devices linked now.</summary>
    public IReadOnlyCollection<DeviceId> Online => [.. _members.All.Select(m => m.Id)];

    /// <summary>Room messages handed to members since start.</summary>
    public long RoomDeliveries => _rooms.Deliveries;

    internal RelaySwitch Relay { get; }

    /// <summary>The room calls' forwarding unit, for its counters.</summary>
    internal RoomCallUnit RoomCalls { get; }

    /// <summary>Room calls across the hubs of its cluster (null for a single hub), for its port and counters.</summary>
    internal ClusterRoomCalls? ClusterCalls => _cluster?.Calls;

    /// <summary>The UDP relay for media, for its counters.</summary>
    internal UdpRelay UdpRelay => _udpRelay;

    /// <summary>A room's log as the hub stores it (tests check it holds no plaintext and replay its entries).</summary>
    internal IReadOnlyList<RoomEntry> RoomEntries(string room) => _rooms.Entries(room);

    /// <summary>Who is linked now, with their links (tests watch a member's send queue).</summary>
    internal MemberRegistry Members => _members;

    /// <summary>The directory in the hub's database (a single hub's; a cluster hub has none).</summary>
    internal DirectoryStore Directory => _directory ?? throw new InvalidOperationException("a cluster hub keeps its directory in NATS");

    internal MailboxStore Mail => _mail ?? throw new InvalidOperationException("a cluster hub keeps its mailbox in NATS");

    /// <summary>Hubs of its cluster alive now, this one included (1 for a single hub).</summary>
    public int ClusterHubs => _cluster?.Hubs?.Count ?? 1;

    /// <summary>Raised when a hub of the cluster came or went, so the invite changed.</summary>
    public event Action? InviteChanged
    {
        add => _cluster?.Hubs?.Changed += value;
        remove => _cluster?.Hubs?.Changed -= value;
    }

    /// <summary>A single hub (<see cref="HubOptions.Cluster"/> unset): its state in SQLite under its home.</summary>
    public static HubServer Start(HubOptions options, ILoggerFactory loggerFactory) => options.Cluster is null
        ? Assemble(options, loggerFactory, NodeIdentity.LoadOrCreate(options.Home), cluster: null)
        : throw new InvalidOperationException("a cluster hub starts with StartAsync");

    /// <summary>A single hub, or one of a cluster: the cluster's identity from its file, its shared state in NATS JetStream.</summary>
    public static async Task<HubServer> StartAsync(HubOptions options, ILoggerFactory loggerFactory)
    {
        if (options.Cluster is not { } clusterOptions)
        {
            return Start(options, loggerFactory);
        }
        var identity = NodeIdentity.LoadOrCreateFile(clusterOptions.IdentityFile);
        try
        {
            var cluster = await ClusterState.OpenAsync(options, clusterOptions, identity.DeviceId, loggerFactory.CreateLogger("Parley.Hub.Cluster")).ConfigureAwait(false);
            return Assemble(options, loggerFactory, identity, cluster);
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    /// <summary>The one place the hub is put together: storage, members, features, the router, and the listener reading with the router's frame table.</summary>
    private static HubServer Assemble(HubOptions options, ILoggerFactory loggerFactory, NodeIdentity identity, ClusterState? cluster)
    {
        var logger = loggerFactory.CreateLogger("Parley.Hub");
        // A cluster hub keeps its rooms' copy here, not flushed at each commit (the stream is what holds them); directory,
        // mailbox and presence are the cluster's.
        var database = HubDatabase.Open(options.Home, flushEachCommit: cluster is null);
        var members = new MemberRegistry();
        var (router, relay, directory, mail, rooms, udpRelay) = Compose(options, database, members, logger, cluster);
        var connections = new HubConnections(members, router, options, logger, () => cluster?.Nats.Refusal);
        var roomCalls = router.Features.OfType<RoomCallFeature>().Single().Unit;
        // Bridged before members can link: a call started here before it would not be shared with the other hubs.
        cluster?.BridgeCalls(roomCalls, ClusterSecret(identity), options.BindAddress, options.Cluster!, options.TimeProvider, logger);
        var listener = LinkListener.Bind(options.BindAddress, options.Port);
        var port = (ushort)listener.Port;
        listener.Start(new LinkEstablisher(identity, options.Link with { Frames = router.Frames }, loggerFactory),
            _ => new Hello(Hello.CurrentVersion, identity.DeviceId, HelloCapabilities.Hub | HelloCapabilities.TakesReachableAt, port, HelloFlags.None, "hub"),
            connections.AcceptAsync,
            (endpoint, reason) => HubLog.HandshakeFailed(logger, endpoint, reason),
            relay.TryTakeAsync);
        // The same port number over UDP: STUN, so nodes behind NATs learn their public media address.
        var stun = StunResponder.TryStart(options.BindAddress, listener.Port, roomCalls);
        roomCalls.UdpPort = stun is null ? (ushort)0 : port;
        if (cluster is not null)
        {
            cluster.Announce(CreateInvite(identity.DeviceId, port, options.PublicAddress), options.Cluster!, options.TimeProvider, logger);
            cluster.Nats.GaveUp += () => _ = connections.CloseAllAsync("this hub lost its cluster store (NATS); connect to another hub of the cluster");
        }
        return new HubServer(identity, listener, database, members, connections, relay, directory, mail, rooms, stun, udpRelay, cluster, roomCalls);
    }

    /// <summary>What every hub of a cluster derives alike from the identity they share, and nobody else can: it keys their room calls' packets to each other.</summary>
    internal static byte[] ClusterSecret(NodeIdentity identity)
    {
        using var key = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPrivateKey(identity.Certificate) ?? throw new InvalidOperationException("the cluster identity has no private key");
        var d = key.ExportParameters(includePrivateParameters: true).D!;
        try
        {
            return Core.Hub.Cluster.RoomCallBridgePacket.DeriveSecret(d);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>The hub's features over its database and members, and the router built from them (in the order they hear of members coming and going).</summary>
    internal static (HubRouter Router, RelaySwitch Relay, DirectoryStore? Directory, MailboxStore? Mail, RoomsFeature Rooms, UdpRelay UdpRelay) Compose(HubOptions options,
        HubDatabase database, MemberRegistry members, ILogger logger, ClusterState? cluster = null)
    {
        var time = options.TimeProvider;
        var localDirectory = cluster is null ? new DirectoryStore(database) : null;
        var localMail = cluster is null ? new MailboxStore(database, options) : null;
        IDirectoryStore directory = cluster?.Directory ?? (IDirectoryStore)localDirectory!;
        IMailboxStore mail = cluster?.Mail ?? (IMailboxStore)localMail!;
        // Directory and mailbox ask who is online in the whole community; presence tells of this hub's own.
        IHubMembers community = cluster is null ? members : new CommunityMembers(members, cluster.Presence);
        var relay = new RelaySwitch(options);
        var udpRelay = new UdpRelay(options);
        var presence = new PresenceFeature(members, time, cluster?.Presence);
        var hubRooms = new HubRooms(new RoomStore(database), new RoomPolicyStore(database));
        var roomLog = new RoomLog(new RoomLogStore(database), options, logger);
        var rooms = new RoomsFeature(hubRooms, roomLog, members, time);
        // A cluster hub keeps rooms in its own store too, as read back from the cluster's streams.
        cluster?.Rooms.Attach(hubRooms, roomLog, rooms, time);
        var router = new HubRouter(
        [
            presence,
            new DirectoryFeature(directory, community, presence, time),
            new RelayFeature(relay, members, cluster?.BridgeRelay(relay, members, logger), logger),
            new UdpRelayFeature(udpRelay, options),
            new MailboxFeature(mail, directory, community, time),
            rooms,
            new ReachabilityFeature(presence),
            new BlobFeature(cluster?.Blobs ?? (IBlobStore)new BlobStore(database, options), hubRooms, time),
            new RoomCallFeature(new RoomCallUnit(options), hubRooms),
        ]);
        return (router, relay, localDirectory, localMail, rooms, udpRelay);
    }

    /// <summary>
    /// The line nodes pass to <c>parley up --hub</c> or <c>parley hub-join</c>: in a cluster, every live hub's
    /// addresses, this one's first; with a public address (1:1 NAT), that one first.
    /// </summary>
    public Invite CreateInvite() => _cluster?.Hubs?.Invite ?? CreateInvite(_identity.DeviceId, Port, _publicAddress);

    /// <summary>
    /// The hub's addresses others can reach (loopback only when it has no other); with a public
    /// address (1:1 NAT), that one first, as nodes on the internet can reach only it.
    /// </summary>
    public static Invite CreateInvite(DeviceId hub, int port, IPAddress? publicAddress = null)
    {
        var own = LocalAddresses.IPv4(port, withLoopback: false);
        return new(hub, "hub", publicAddress is null ? own : [new IPEndPoint(publicAddress, port), .. own.Where(e => !e.Address.Equals(publicAddress))]);
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        if (_stun is not null)
        {
            await _stun.DisposeAsync().ConfigureAwait(false);
        }
        await _connections.CloseAllAsync().ConfigureAwait(false);
        Relay.Dispose();
        await _udpRelay.DisposeAsync().ConfigureAwait(false);
        await _rooms.DisposeAsync().ConfigureAwait(false);
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
        _database.Dispose();
        _identity.Dispose();
    }
}
