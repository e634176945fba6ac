using Microsoft.Extensions.Logging;

namespace Parley.Node.Links;

internal static partial class LinkManagerLog
{
    [LoggerMessage(200, LogLevel.Information, "linked with {Peer} ({Name}) {Direction} at {Endpoint}, path {Path}")]
    public static partial void Linked(ILogger logger, string peer, string name, string direction, string endpoint, string path);

    [LoggerMessage(201, LogLevel.Information, "{Name} ({Peer}) left: {Reason}")]
    public static partial void Left(ILogger logger, string peer, string name, string reason);

    [LoggerMessage(202, LogLevel.Debug, "dial {Peer} at {Address} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, string peer, string address, string reason);

    [LoggerMessage(203, LogLevel.Information, "refused {Peer} from {Endpoint}: {Reason}")]
    public static partial void Refused(ILogger logger, string peer, string endpoint, string reason);

    [LoggerMessage(204, LogLevel.Information, "incoming connection from {Endpoint} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(205, LogLevel.Information, "request from {Peer} ({Name}) at {Endpoint}")]
    public static partial void Request(ILogger logger, string peer, string name, string endpoint);

    [LoggerMessage(206, LogLevel.Information, "request from {Peer}: {Reason}")]
    public static partial void RequestDropped(ILogger logger, string peer, string reason);

    [LoggerMessage(207, LogLevel.Information, "no direct path to {Peer} yet ({Tried}); next try in {Seconds:0} s")]
    public static partial void UpgradeFailed(ILogger logger, string peer, string tried, double seconds);

    [LoggerMessage(208, LogLevel.Information, "simultaneous open with {Peer} at {Endpoint} failed: {Reason}")]
    public static partial void PunchFailed(ILogger logger, string peer, string endpoint, string reason);
}
