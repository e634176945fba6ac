using Parley.Core.Traversal;

namespace Parley.Node.Calls;

/// <summary>
/// Where a call gets relay candidates from: the hub's UDP relay (registered first), TURN servers the
/// node was given, and so on. Each call asks every factory, in registration order, for one relay of
/// its own and disposes it when the call ends.
/// </summary>
internal interface IMediaRelayFactory
{
    /// <summary>A new relay, or null when this kind is not available now (no hub, no server answering, refused).</summary>
    Task<IMediaRelay?> TryCreateAsync(CancellationToken cancellationToken);
}
