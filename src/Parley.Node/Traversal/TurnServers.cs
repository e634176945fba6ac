using Microsoft.Extensions.Logging;
using Parley.Core.Traversal;

namespace Parley.Node.Traversal;

/// <summary>
/// The TURN servers this node was given (<c>parley up --turn</c>), as a source of relays for calls:
/// each call asks for one allocation of its own and disposes it when it ends. The servers are tried
/// in the order given; the first that allocates wins.
/// </summary>
internal sealed class TurnServers(NodeOptions options, ILoggerFactory loggerFactory) : Calls.IMediaRelayFactory
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Node.Traversal.Turn");

    public IReadOnlyList<TurnServer> Servers => options.TurnServers;

    /// <summary>A new allocation on the first configured server that grants one; null when none is configured or none answers.</summary>
    public async Task<IMediaRelay?> TryCreateAsync(CancellationToken cancellationToken)
    {
        foreach (var server in options.TurnServers)
        {
            try
            {
                return await TurnAllocation.AllocateAsync(server, options.Turn, _logger, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TurnException or System.Net.Sockets.SocketException)
            {
                TraversalLog.TurnUnavailable(_logger, server.Uri, e.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The call's budget for relays ran out: no TURN relay this time, and the other relays made meanwhile are kept.
                TraversalLog.TurnUnavailable(_logger, server.Uri, "no answer in time");
                return null;
            }
        }
        return null;
    }
}
