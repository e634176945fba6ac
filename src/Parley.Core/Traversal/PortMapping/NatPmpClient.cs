using System.Net;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>
/// Maps ports with NAT-PMP (RFC 6886) at the default gateway: the external address first (a map reply
/// names only the port), then the mapping, renewed by asking again and deleted with lifetime 0.
/// </summary>
public sealed class NatPmpClient(IPAddress gateway) : IPortMapper
{
    private const int Tries = 3;
    private IPAddress? _external;

    public string Method => "NAT-PMP";

    public async Task<IPAddress?> ExternalAddressAsync(CancellationToken cancellationToken)
    {
        using var socket = GatewaySocket.Open(gateway);
        if (socket is null)
        {
            return null;
        }
        var reply = await socket.AskAsync(NatPmpMessages.ExternalAddressRequest(), r => NatPmpMessages.TryReadExternalAddress(r, out _), Tries, cancellationToken).ConfigureAwait(false);
        return reply is not null && NatPmpMessages.TryReadExternalAddress(reply, out var address) ? address : null;
    }

    public async Task<ForwardedPort?> MapAsync(MappedProtocol protocol, int internalPort, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        _external ??= await ExternalAddressAsync(cancellationToken).ConfigureAwait(false);
        if (_external is null || await AskMapAsync(protocol, internalPort, internalPort, (uint)lifetime.TotalSeconds, cancellationToken).ConfigureAwait(false) is not { } map
            || map.Result != NatPmpMessages.Success || map.ExternalPort == 0 || map.LifetimeSeconds == 0)
        {
            return null;
        }
        return new ForwardedPort(protocol, internalPort, new IPEndPoint(_external, map.ExternalPort), TimeSpan.FromSeconds(map.LifetimeSeconds), Method);
    }

    public Task DeleteAsync(ForwardedPort port, CancellationToken cancellationToken) =>
        AskMapAsync(port.Protocol, port.InternalPort, 0, 0, cancellationToken);

    private async Task<NatPmpMapReply?> AskMapAsync(MappedProtocol protocol, int internalPort, int externalPort, uint lifetime, CancellationToken cancellationToken)
    {
        using var socket = GatewaySocket.Open(gateway);
        if (socket is null)
        {
            return null;
        }
        var request = NatPmpMessages.MapRequest(protocol, internalPort, externalPort, lifetime);
        var reply = await socket.AskAsync(request, r => NatPmpMessages.TryReadMap(r, protocol, internalPort, out _), Tries, cancellationToken).ConfigureAwait(false);
        return reply is not null && NatPmpMessages.TryReadMap(reply, protocol, internalPort, out var map) ? map : null;
    }
}
