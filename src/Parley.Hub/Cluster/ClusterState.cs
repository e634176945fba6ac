using Microsoft.Extensions.Logging;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// What a cluster hub shares with the others, over one NATS connection: directory, mailbox, presence,
/// and (once the hub listens, so knows its addresses) the live hubs for its invite.
/// </summary>
internal sealed class ClusterState : IAsyncDisposable
{
    private ClusterState(NatsCluster nats, ClusterDirectoryStore directory, ClusterMailboxStore mail, ClusterPresenceShare presence, ClusterRooms rooms,
        ClusterBlobStore blobs)
    {
        Blobs = blobs;
        Rooms = rooms;
        Nats = nats;
        Directory = directory;
        Mail = mail;
        Presence = presence;
    }

    public NatsCluster Nats { get; }

    public ClusterDirectoryStore Directory { get; }

    public ClusterMailboxStore Mail { get; }

    public ClusterPresenceShare Presence { get; }

    /// <summary>Rooms: their logs, members, policies and held keys, shared once <see cref="ClusterRooms.Attach"/> is called.</summary>
    public ClusterRooms Rooms { get; }

    /// <summary>Attachments' ciphertext, in the cluster's object store.</summary>
    public ClusterBlobStore Blobs { get; }

    public ClusterHubs? Hubs { get; private set; }

    /// <summary>Relays between members of different hubs, once <see cref="BridgeRelay"/> has opened it.</summary>
    public ClusterRelayBridge? RelayBridge { get; private set; }

    /// <summary>Room calls across hubs, once <see cref="BridgeCalls"/> has opened it.</summary>
    public ClusterRoomCalls? Calls { get; private set; }

    /// <summary>
    /// Starts room calls across hubs through <paramref name="unit"/>: <paramref name="secret"/> (from the cluster identity)
    /// keys the hub-to-hub packets, whose socket binds <paramref name="bindAddress"/>.
    /// </summary>
    public ClusterRoomCalls BridgeCalls(RoomCallUnit unit, byte[] secret, System.Net.IPAddress bindAddress, HubClusterOptions cluster, TimeProvider time,
        ILogger logger) =>
        Calls = new ClusterRoomCalls(Nats, unit, secret, bindAddress, () => Hubs?.Own.Addresses ?? [], cluster.HubTtl, time, logger);

    /// <summary>Starts relaying across hubs through <paramref name="relay"/>: asks from other hubs for members of <paramref name="members"/>, and this hub's own asks.</summary>
    public ClusterRelayBridge BridgeRelay(RelaySwitch relay, IHubMembers members, ILogger logger) =>
        RelayBridge = new ClusterRelayBridge(Nats, Presence, () => Hubs?.Own.Addresses ?? [], relay, members, logger);

    /// <summary>Connects to NATS (checking the cluster's identity is <paramref name="hub"/>) and opens the shared state.</summary>
    public static async Task<ClusterState> OpenAsync(HubOptions options, HubClusterOptions cluster, DeviceId hub, ILogger logger)
    {
        var nats = await NatsCluster.ConnectAsync(cluster, hub, logger, options.TimeProvider).ConfigureAwait(false);
        var mail = new ClusterMailboxStore(nats, options, logger);
        var rooms = new ClusterRooms(nats, options, logger);
        var blobs = new ClusterBlobStore(nats, options, logger);
        try
        {
            using var timeout = new CancellationTokenSource(cluster.StartTimeout);
            await mail.OpenAsync(timeout.Token).ConfigureAwait(false);
            await rooms.OpenAsync(timeout.Token).ConfigureAwait(false);
            await blobs.OpenAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NATS.Client.Core.NatsException or OperationCanceledException)
        {
            await nats.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"cannot open the cluster's mailbox, room and attachment streams at {nats.Servers} ({e.GetType().Name})");
        }
        return new ClusterState(nats, new ClusterDirectoryStore(nats, options.TimeProvider, logger), mail,
            new ClusterPresenceShare(nats, cluster.PresenceTtl, options.TimeProvider, logger), rooms, blobs);
    }

    /// <summary>Starts telling the other hubs this one is alive at <paramref name="own"/>'s addresses.</summary>
    public ClusterHubs Announce(Invite own, HubClusterOptions cluster, TimeProvider time, ILogger logger) =>
        Hubs = new ClusterHubs(Nats, own, cluster.HubTtl, time, logger);

    public async ValueTask DisposeAsync()
    {
        if (Hubs is not null)
        {
            await Hubs.DisposeAsync().ConfigureAwait(false);
        }
        if (Calls is not null)
        {
            await Calls.DisposeAsync().ConfigureAwait(false);
        }
        if (RelayBridge is not null)
        {
            await RelayBridge.DisposeAsync().ConfigureAwait(false);
        }
        await Rooms.DisposeAsync().ConfigureAwait(false);
        await Blobs.DisposeAsync().ConfigureAwait(false);
        await Presence.DisposeAsync().ConfigureAwait(false);
        await Directory.DisposeAsync().ConfigureAwait(false);
        await Nats.DisposeAsync().ConfigureAwait(false);
    }
}
