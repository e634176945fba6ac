using System.Net;
using System.Net.Sockets;
using Parley.Core.Identity;

namespace Parley.Node.Links;

/// <summary>
/// A way to reach a contact with no working direct address: the hub's relay. The link manager
/// depends on this seam rather than on the hub client, so the hub can be absent (never relays) and
/// the hub's side can route frames back to the link manager without a construction cycle.
/// </summary>
public interface IRelayDialer
{
    /// <summary>True when a relay could reach <paramref name="peer"/> now (the hub says it is online there).</summary>
    bool CanRelayTo(DeviceId peer);

    /// <summary>
    /// Opens our side of a relayed connection to <paramref name="peer"/>: a socket to the hub, spliced to the
    /// peer's, and the hub's endpoint (TLS then runs end to end over it, pinned to the peer as always).
    /// Throws <see cref="InvalidOperationException"/> when the hub refuses or cannot be asked.
    /// </summary>
    Task<(Socket Socket, IPEndPoint Hub)> OpenRelayAsync(DeviceId peer, CancellationToken cancellationToken);

    /// <summary>Where the hub sees <paramref name="peer"/> (the address its link comes from, with the port it listens on), while it is online there.</summary>
    IPEndPoint? ObservedEndPoint(DeviceId peer) => null;
}
