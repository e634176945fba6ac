using Microsoft.Extensions.Logging;

namespace Parley.Node.Calls;

internal static partial class CallLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "A media packet of call {CallId} failed: {Reason}")]
    public static partial void PacketFailed(ILogger logger, uint callId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} with {Peer} answered: media starts")]
    public static partial void Answered(ILogger logger, uint callId, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} with {Peer} ended: {Reason}")]
    public static partial void Ended(ILogger logger, uint callId, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A call with {Peer} was not written to the conversation: {Reason}")]
    public static partial void HistoryNotStored(ILogger logger, string peer, string reason);
}
