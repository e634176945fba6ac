using System.Net;

namespace Parley.Node.Traversal;

/// <summary>What a call asks of port mapping: the router's forwarded address for its media socket, if any.</summary>
internal interface IMediaPortMapper
{
    /// <summary>Forwards UDP <paramref name="port"/> (or returns the forwarding already made); null when no router forwards for us.</summary>
    Task<IPEndPoint?> MapUdpAsync(int port, CancellationToken cancellationToken);
}
