using Microsoft.Extensions.Logging;

namespace Parley.Node.Traversal;

internal static partial class TraversalLog
{
    [LoggerMessage(1750, LogLevel.Warning, "TURN {Server} gave no relay: {Reason}")]
    public static partial void TurnUnavailable(ILogger logger, string server, string reason);
}
