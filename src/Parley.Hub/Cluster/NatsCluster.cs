using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// A cluster hub's connection to NATS and the JetStream buckets its hubs share: presence (with a TTL),
/// the directory, the live hubs and their room calls (with a TTL), and the cluster's identity. Replicated three times when
/// the NATS cluster has three servers or more. Watches the connection: while it is down the hub
/// refuses new members (<see cref="Refusal"/>), and past <see cref="HubClusterOptions.LostGrace"/> it
/// gives up its members (<see cref="GaveUp"/>) so they move to a hub that still has NATS.
/// </summary>
internal sealed class NatsCluster : IAsyncDisposable
{
    private const string ClusterBucket = "parley-cluster";
    private readonly HubClusterOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ITimer _watch;
    private DateTimeOffset? _lostSince;
    private bool _gaveUp;

    private NatsCluster(HubClusterOptions options, NatsConnection connection, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        Connection = connection;
        JetStream = new NatsJSContext(connection);
        Servers = HubClusterOptions.Describe(options.Servers);
        _watch = time.CreateTimer(_ => CheckHealth(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public NatsConnection Connection { get; }

    public INatsJSContext JetStream { get; }

    /// <summary>The servers as host:port, for messages (the URLs may hold credentials).</summary>
    public string Servers { get; }

    /// <summary>This process among the hubs sharing one identity (they all have the same device ID).</summary>
    public ulong Instance { get; } = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    public int Replicas { get; private set; } = 1;

    public INatsKVStore Presence { get; private set; } = null!;

    public INatsKVStore Directory { get; private set; } = null!;

    public INatsKVStore Hubs { get; private set; } = null!;

    /// <summary>Each hub's part of each room's call (with the hubs' TTL): <see cref="ClusterRoomCalls"/>.</summary>
    public INatsKVStore RoomCalls { get; private set; } = null!;

    /// <summary>Raised once when the hub has been cut off from NATS for longer than the grace.</summary>
    public event Action? GaveUp;

    /// <summary>Why a new member is refused now, or null while NATS is up.</summary>
    public string? Refusal => Connection.ConnectionState == NatsConnectionState.Open
        ? null
        : "this hub has lost its cluster store (NATS); connect to another hub of the cluster";

    /// <summary>How a hub (or <c>hub status</c>) connects to the cluster's NATS servers.</summary>
    internal static NatsOpts ConnectionOptions(HubClusterOptions options) => NatsOpts.Default with
    {
        // No logger factory for the client: its messages would name the URLs, credentials and all.
        Url = string.Join(',', options.Servers),
        Name = "parley-hub",
        MaxReconnectRetry = -1,
        // Another server of the cluster is usually up: try it soon, not after the default 2 s (members are refused meanwhile).
        ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
        ConnectTimeout = TimeSpan.FromSeconds(3),
        AuthOpts = options.Config is { } config ? NatsAuthOpts.Default with
        {
            Username = config.User,
            Password = config.Password,
            Token = config.Token,
            CredsFile = config.Creds,
        } : NatsAuthOpts.Default,
        TlsOpts = options.Config?.Tls is { } tls ? new NatsTlsOpts
        {
            Mode = TlsMode.Require,
            CaFile = tls.Ca,
            CertFile = tls.Cert,
            KeyFile = tls.Key,
        } : NatsTlsOpts.Default,
    };

    /// <summary>Connects, checks the cluster's identity is ours, and opens (or creates) the shared buckets.</summary>
    public static async Task<NatsCluster> ConnectAsync(HubClusterOptions options, DeviceId hub, ILogger logger, TimeProvider time)
    {
        var connection = new NatsConnection(ConnectionOptions(options));
        var cluster = new NatsCluster(options, connection, logger, time);
        try
        {
            using var timeout = new CancellationTokenSource(options.StartTimeout);
            await cluster.OpenAsync(hub, timeout.Token).ConfigureAwait(false);
            return cluster;
        }
        catch (Exception e)
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            // The client's own messages may quote the URLs; say it in our words.
            throw e is InvalidOperationException ? e
                : new InvalidOperationException($"cannot reach NATS JetStream at {cluster.Servers} within {options.StartTimeout.TotalSeconds:0} s ({e.GetType().Name})");
        }
    }

    private async Task OpenAsync(DeviceId hub, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await Connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
                // The server lists every server of its cluster it can be reached at (none when it is alone).
                var servers = (Connection.ServerInfo?.ClientConnectUrls ?? []).Distinct(StringComparer.Ordinal).Count();
                Replicas = Math.Max(servers, _options.Servers.Count) >= 3 ? 3 : 1;
                var kv = new NatsKVContext(JetStream);
                var identity = await kv.CreateOrUpdateStoreAsync(Bucket(ClusterBucket, null), cancellationToken).ConfigureAwait(false);
                await ProveIdentityAsync(identity, hub, cancellationToken).ConfigureAwait(false);
                Presence = await kv.CreateOrUpdateStoreAsync(Bucket("parley-presence", _options.PresenceTtl), cancellationToken).ConfigureAwait(false);
                Directory = await kv.CreateOrUpdateStoreAsync(Bucket("parley-directory", null), cancellationToken).ConfigureAwait(false);
                Hubs = await kv.CreateOrUpdateStoreAsync(Bucket("parley-hubs", _options.HubTtl), cancellationToken).ConfigureAwait(false);
                RoomCalls = await kv.CreateOrUpdateStoreAsync(Bucket("parley-room-calls", _options.HubTtl), cancellationToken).ConfigureAwait(false);
                ClusterLog.Connected(_logger, Servers, Replicas, Instance.ToString("x16"));
                return;
            }
            catch (NatsJSException) when (!cancellationToken.IsCancellationRequested)
            {
                // A new JetStream cluster answers "temporarily unavailable", or not at all, until it has elected its leaders.
                await Task.Delay(TimeSpan.FromMilliseconds(500), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private NatsKVConfig Bucket(string name, TimeSpan? ttl) => new(name)
    {
        NumberOfReplicas = Replicas,
        History = 1,
        MaxAge = ttl ?? TimeSpan.Zero,
        Storage = NatsKVStorageType.File,
    };

    /// <summary>The first hub writes the cluster's device ID; a hub with another identity may not join.</summary>
    private static async Task ProveIdentityAsync(INatsKVStore bucket, DeviceId hub, CancellationToken cancellationToken)
    {
        await bucket.TryCreateAsync("hub", hub.Compact, cancellationToken: cancellationToken).ConfigureAwait(false);
        var stored = await bucket.GetEntryAsync<string>("hub", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (stored.Value != hub.Compact)
        {
            throw new InvalidOperationException(
                $"this NATS cluster serves the hub {(stored.Value is { Length: <= 64 } v ? v : "(unreadable)")}, not {hub}: give this hub the cluster's identity file");
        }
    }

    private void CheckHealth()
    {
        var open = Connection.ConnectionState == NatsConnectionState.Open;
        var now = _time.GetUtcNow();
        if (!open && _lostSince is null)
        {
            _lostSince = now;
            ClusterLog.Lost(_logger, Servers);
        }
        else if (open && _lostSince is not null)
        {
            _lostSince = null;
            _gaveUp = false;
            ClusterLog.Back(_logger, Servers);
        }
        else if (!open && !_gaveUp && now - _lostSince > _options.LostGrace)
        {
            _gaveUp = true;
            ClusterLog.GaveUp(_logger, (int)_options.LostGrace.TotalSeconds);
            GaveUp?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _watch.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }
}
