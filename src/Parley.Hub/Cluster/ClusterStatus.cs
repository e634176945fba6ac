using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Parley.Core.Hub.Cluster;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>What <c>parley hub status</c> shows of a cluster: its hubs with their members, and the health of NATS and its streams.</summary>
public sealed record ClusterReport(NatsHealth Nats, IReadOnlyList<ClusterHubLine> Hubs, IReadOnlyList<StreamHealth> Streams);

/// <summary>The NATS server the report came through, and how many servers its cluster has.</summary>
public sealed record NatsHealth(string Servers, string ConnectedTo, string Version, int ClusterServers, bool JetStream);

/// <summary>One live hub: its instance, its addresses, its members now, and how long since it last said it was alive.</summary>
public sealed record ClusterHubLine(string Instance, IReadOnlyList<string> Addresses, int Members, double HeardSecondsAgo);

/// <summary>One of the cluster's JetStream streams (each KV bucket is one): its replicas, how many are current, its leader, its size and its bound in bytes (-1: none).</summary>
public sealed record StreamHealth(string Name, int Replicas, int Current, string? Leader, long Messages, long Bytes, long MaxBytes)
{
    public bool Healthy => Current >= Replicas;
}

/// <summary>Reads a <see cref="ClusterReport"/> straight from NATS, as any hub of the cluster sees it; everything read back is untrusted.</summary>
public static class ClusterStatus
{
    /// <summary>Most presence keys read: past it the per-hub counts stop growing rather than the report taking minutes.</summary>
    private const int MaxMembersCounted = 200_000;

    /// <summary>How long listing the hubs and their members may take. 10 s.</summary>
    private static readonly TimeSpan ListingLimit = TimeSpan.FromSeconds(10);

    public static async Task<ClusterReport> ReadAsync(HubClusterOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(NatsCluster.ConnectionOptions(options) with { MaxReconnectRetry = 0 });
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            var js = new NatsJSContext(connection);
            var kv = new NatsKVContext(js);
            // Listing keys makes a consumer, and right after a NATS server's SIGKILL NATS 2.9 may place it on the dead
            // server, where it hangs for over a minute: the hubs and members get a bound, the streams' health (what
            // such a moment needs) is read either way.
            List<ClusterHubLine> hubs = [];
            using (var listing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                listing.CancelAfter(ListingLimit);
                try
                {
                    var members = await CountMembersAsync(kv, listing.Token).ConfigureAwait(false);
                    hubs = await ReadHubsAsync(kv, members, time, listing.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is OperationCanceledException or NatsException or TimeoutException)
                {
                    // shown as no live hubs this time; the streams below still say what is wrong
                }
            }
            var streams = new List<StreamHealth>();
            await foreach (var stream in js.ListStreamsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var info = stream.Info;
                if (info.Config.Name is { } name && (name.StartsWith("KV_parley-", StringComparison.Ordinal) || name.StartsWith("PARLEY", StringComparison.Ordinal)))
                {
                    var current = info.Cluster is { } cluster ? 1 + (cluster.Replicas?.Count(r => r.Current) ?? 0) : 1;
                    streams.Add(new StreamHealth(name, info.Config.NumReplicas, current, info.Cluster?.Leader, info.State.Messages, info.State.Bytes, info.Config.MaxBytes));
                }
            }
            var server = connection.ServerInfo;
            var nats = new NatsHealth(HubClusterOptions.Describe(options.Servers), server?.Name ?? "?", server?.Version ?? "?",
                // The server lists every server of its cluster it can be reached at, itself included (none when alone).
                Math.Max(1, server?.ClientConnectUrls?.Distinct(StringComparer.Ordinal).Count() ?? 0), server?.JetStreamAvailable ?? false);
            return new ClusterReport(nats, hubs, [.. streams.OrderBy(s => s.Name, StringComparer.Ordinal)]);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
        {
            throw new InvalidOperationException($"cannot read the cluster from NATS at {HubClusterOptions.Describe(options.Servers)} ({e.GetType().Name})");
        }
    }

    private static async Task<Dictionary<ulong, int>> CountMembersAsync(NatsKVContext kv, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<ulong, int>();
        var presence = await kv.GetStoreAsync("parley-presence", cancellationToken).ConfigureAwait(false);
        var read = 0;
        await foreach (var key in presence.GetKeysAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (++read > MaxMembersCounted)
            {
                break;
            }
            var entry = await presence.TryGetEntryAsync<byte[]>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (entry.Success && WireMessage.TryRead<ClusterPresenceRecord>(entry.Value.Value ?? [], out var record, out _))
            {
                counts[record.HubInstance] = counts.GetValueOrDefault(record.HubInstance) + 1;
            }
        }
        return counts;
    }

    private static async Task<List<ClusterHubLine>> ReadHubsAsync(NatsKVContext kv, Dictionary<ulong, int> members, TimeProvider time, CancellationToken cancellationToken)
    {
        var lines = new List<ClusterHubLine>();
        var hubs = await kv.GetStoreAsync("parley-hubs", cancellationToken).ConfigureAwait(false);
        await foreach (var key in hubs.GetKeysAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var entry = await hubs.TryGetEntryAsync<string>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (lines.Count < Invite.MaxAddresses * 4 && entry.Success && ulong.TryParse(key, System.Globalization.NumberStyles.HexNumber, null, out var instance)
                && Invite.TryParse(entry.Value.Value ?? "", out var invite, out _))
            {
                lines.Add(new ClusterHubLine(key, [.. invite!.Addresses.Select(a => a.ToString())], members.GetValueOrDefault(instance),
                    Math.Round((time.GetUtcNow() - entry.Value.Created).TotalSeconds, 1)));
            }
        }
        return lines;
    }
}
