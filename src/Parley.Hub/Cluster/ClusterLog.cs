using Microsoft.Extensions.Logging;

namespace Parley.Hub;

/// <summary>What a cluster hub says about NATS; server lists are <see cref="NatsCluster.Describe"/>d, never with credentials.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(640, LogLevel.Information, "cluster: connected to NATS {Servers} (replicas {Replicas}, hub instance {Instance})")]
    public static partial void Connected(ILogger logger, string servers, int replicas, string instance);

    [LoggerMessage(641, LogLevel.Warning, "cluster: lost NATS ({Servers}); refusing new members until it is back")]
    public static partial void Lost(ILogger logger, string servers);

    [LoggerMessage(642, LogLevel.Information, "cluster: NATS is back ({Servers})")]
    public static partial void Back(ILogger logger, string servers);

    [LoggerMessage(643, LogLevel.Error, "cluster: cut off from NATS for {Seconds} s; closing member links so they move to another hub")]
    public static partial void GaveUp(ILogger logger, int seconds);

    [LoggerMessage(644, LogLevel.Warning, "cluster: dropped a malformed {What} read back from NATS (key {Key}): {Reason}")]
    public static partial void Malformed(ILogger logger, string what, string key, string reason);

    [LoggerMessage(645, LogLevel.Warning, "cluster: {Operation} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string operation, string reason);
}
