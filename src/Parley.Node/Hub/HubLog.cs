using Microsoft.Extensions.Logging;

namespace Parley.Node.Hub;

internal static partial class HubLog
{
    [LoggerMessage(700, LogLevel.Information, "linked with hub {Hub} at {Endpoint}")]
    public static partial void Connected(ILogger logger, string hub, string endpoint);

    [LoggerMessage(701, LogLevel.Information, "hub {Hub} link closed: {Reason}")]
    public static partial void Disconnected(ILogger logger, string hub, string reason);

    [LoggerMessage(702, LogLevel.Debug, "dial hub {Hub} at {Address} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, string hub, string address, string reason);

    [LoggerMessage(703, LogLevel.Warning, "after linking with hub {Hub}: {Reason}")]
    public static partial void LinkedWorkFailed(ILogger logger, string hub, string reason);
}
