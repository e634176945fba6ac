using Microsoft.Extensions.Logging;

namespace Parley.Hub;

internal static partial class HubLog
{
    [LoggerMessage(600, LogLevel.Information, "member {Peer} ({Name}) joined from {Endpoint}")]
    public static partial void Joined(ILogger logger, string peer, string name, string endpoint);

    [LoggerMessage(601, LogLevel.Information, "member {Peer} ({Name}) left: {Reason}")]
    public static partial void Left(ILogger logger, string peer, string name, string reason);

    [LoggerMessage(602, LogLevel.Information, "connection from {Endpoint} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(603, LogLevel.Information, "relaying {From} to {To}")]
    public static partial void Relaying(ILogger logger, string from, string to);

    [LoggerMessage(604, LogLevel.Error, "a room log write failed: {Reason}")]
    public static partial void RoomLogFailed(ILogger logger, string reason);

    [LoggerMessage(605, LogLevel.Warning, "refused member {Peer}: {Reason}")]
    public static partial void Refused(ILogger logger, string peer, string reason);
}
