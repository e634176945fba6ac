using Microsoft.Extensions.Logging;

namespace Parley.Node.Traversal;

internal static partial class PortMappingLog
{
    [LoggerMessage(1750, LogLevel.Information, "port mapping: {Mapping}")]
    public static partial void Mapped(ILogger logger, string mapping);

    [LoggerMessage(1751, LogLevel.Information, "port mapping: no router answered (PCP, NAT-PMP and UPnP tried)")]
    public static partial void NoRouter(ILogger logger);

    [LoggerMessage(1752, LogLevel.Warning, "port mapping: renewing {Protocol} port {Port} by {Method} failed; retrying in {Seconds} s")]
    public static partial void RenewFailed(ILogger logger, string protocol, int port, string method, double seconds);
}
