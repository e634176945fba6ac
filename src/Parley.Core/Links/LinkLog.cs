using Microsoft.Extensions.Logging;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

internal static partial class LinkLog
{
    [LoggerMessage(100, LogLevel.Information, "frame {Direction} {Peer} {Type} {Size} B")]
    public static partial void Frame(ILogger logger, string direction, string peer, FrameType type, int size);

    [LoggerMessage(101, LogLevel.Information, "link to {Peer} ({Name}) closed by {Side}: {Code} {Reason}")]
    public static partial void Closed(ILogger logger, string peer, string name, string side, CloseCode code, string reason);

    [LoggerMessage(102, LogLevel.Warning, "link to {Peer} broke the protocol: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string peer, string reason);

    [LoggerMessage(103, LogLevel.Warning, "frame handler for {Peer} failed")]
    public static partial void HandlerFailed(ILogger logger, string peer, Exception exception);
}
