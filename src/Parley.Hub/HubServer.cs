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

    private HubServer(NodeIdentity identity, LinkListener listener, HubDatabase database, MemberRegistry members, HubConnections connections,
        RelaySwitch relay, DirectoryStore directory, MailboxStore mail, RoomsFeature rooms, StunResponder? stun, UdpRelay udpRelay)
    {
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
        Directory = directory;
        Mail = mail;
    }

    public DeviceId DeviceId => _identity.DeviceId;

    public int Port => _listener.Port;

    /// <summary>Devices linked now.</summary>
    public IReadOnlyCollection<DeviceId> Online => [.. _members.All.Select(m => m.Id)];

    /// <summary>Room messages handed to members since start.</summary>
    public long RoomDeliveries => _rooms.Deliveries;

    internal RelaySwitch Relay { get; }

    /// <summary>The UDP relay for media, for its counters.</summary>
    internal UdpRelay UdpRelay => _udpRelay;

    /// <summary>A room's log as the hub stores it (tests check it holds no plaintext and replay its entries).</summary>
    internal IReadOnlyList<RoomEntry> RoomEntries(string room) => _rooms.Entries(room);

    /// <summary>Who is linked now, with their links (tests watch a member's send queue).</summary>
    internal MemberRegistry Members => _members;

    internal DirectoryStore Directory { get; }

    internal MailboxStore Mail { get; }

    /// <summary>The one place the hub is put together: storage, members, features, the router, and the listener reading with the router's frame table.</summary>
    public static HubServer Start(HubOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Parley.Hub");
        var identity = NodeIdentity.LoadOrCreate(options.Home);
        var database = HubDatabase.Open(options.Home);
        var members = new MemberRegistry();
        var (router, relay, directory, mail, rooms, udpRelay) = Compose(options, database, members, logger);
        var connections = new HubConnections(members, router, options, logger);
        var listener = LinkListener.Bind(options.BindAddress, options.Port);
        var port = (ushort)listener.Port;
        listener.Start(new LinkEstablisher(identity, options.Link with { Frames = router.Frames }, loggerFactory),
            _ => new Hello(Hello.CurrentVersion, identity.DeviceId, HelloCapabilities.Hub | HelloCapabilities.TakesReachableAt, port, HelloFlags.None, "hub"),
            connections.AcceptAsync,
            (endpoint, reason) => HubLog.HandshakeFailed(logger, endpoint, reason),
            relay.TryTakeAsync);
        // The same port number over UDP: STUN, so nodes behind NATs learn their public media address.
        var stun = StunResponder.TryStart(options.BindAddress, listener.Port);
        return new HubServer(identity, listener, database, members, connections, relay, directory, mail, rooms, stun, udpRelay);
    }

    /// <summary>The hub's features over its database and members, and the router built from them (in the order they hear of members coming and going).</summary>
    internal static (HubRouter Router, RelaySwitch Relay, DirectoryStore Directory, MailboxStore Mail, RoomsFeature Rooms, UdpRelay UdpRelay) Compose(HubOptions options,
        HubDatabase database, MemberRegistry members, ILogger logger)
    {
        var time = options.TimeProvider;
        var directory = new DirectoryStore(database);
        var mail = new MailboxStore(database, options);
        var relay = new RelaySwitch(options);
        var udpRelay = new UdpRelay(options);
        var presence = new PresenceFeature(members, time);
        var rooms = new RoomsFeature(new HubRooms(new RoomStore(database), new RoomPolicyStore(database)),
            new RoomLog(new RoomLogStore(database), options, logger), members, time);
        var router = new HubRouter(
        [
            presence,
            new DirectoryFeature(directory, members, presence, time),
            new RelayFeature(relay, members, logger),
            new UdpRelayFeature(udpRelay, options),
            new MailboxFeature(mail, directory, members, time),
            rooms,
            new ReachabilityFeature(presence),
        ]);
        return (router, relay, directory, mail, rooms, udpRelay);
    }

    /// <summary>The line nodes pass to <c>parley up --hub</c> or <c>parley hub-join</c>.</summary>
    public Invite CreateInvite() => CreateInvite(_identity.DeviceId, Port, _publicAddress);

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
        _database.Dispose();
        _identity.Dispose();
    }
}
