using System.Net;
using Microsoft.Extensions.Logging;

namespace Parley.Core.Traversal;

internal static partial class TurnLog
{
    [LoggerMessage(1700, LogLevel.Information, "TURN {Server}: relayed address {Relayed} for {Lifetime}")]
    public static partial void Allocated(ILogger logger, string server, IPEndPoint relayed, TimeSpan lifetime);

    [LoggerMessage(1701, LogLevel.Information, "TURN {Server}: allocation {Relayed} deleted")]
    public static partial void Deleted(ILogger logger, string server, IPEndPoint relayed);

    [LoggerMessage(1702, LogLevel.Warning, "TURN {Server}: deleting allocation {Relayed} failed (it expires on its own): {Reason}")]
    public static partial void DeleteFailed(ILogger logger, string server, IPEndPoint relayed, string reason);

    [LoggerMessage(1703, LogLevel.Warning, "TURN {Server}: binding a channel to {Peer} failed (Send indications carry its datagrams): {Reason}")]
    public static partial void BindFailed(ILogger logger, string server, IPEndPoint peer, string reason);

    [LoggerMessage(1704, LogLevel.Warning, "TURN {Server}: refreshing {What} failed, trying again: {Reason}")]
    public static partial void RefreshFailed(ILogger logger, string server, string what, string reason);

    [LoggerMessage(1705, LogLevel.Warning, "TURN {Server}: allocation {Relayed} lost: {Reason}")]
    public static partial void Lost(ILogger logger, string server, IPEndPoint relayed, string reason);
}
