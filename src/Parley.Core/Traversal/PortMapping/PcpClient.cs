using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>
/// Maps ports with PCP's MAP opcode (RFC 6887) at the default gateway. Each mapping keeps its nonce:
/// renewing and deleting (lifetime 0) must repeat it (§11.1). When the server turns out to speak only
/// NAT-PMP, <see cref="VersionUnsupported"/> says so and the caller uses <see cref="NatPmpClient"/>.
/// </summary>
public sealed class PcpClient(IPAddress gateway) : IPortMapper
{
    private const int Tries = 3;
    private readonly ConcurrentDictionary<(MappedProtocol, int), byte[]> _nonces = new();

    public string Method => "PCP";

    /// <summary>True once the gateway answered that it does not speak PCP version 2.</summary>
    public bool VersionUnsupported { get; private set; }

    public async Task<ForwardedPort?> MapAsync(MappedProtocol protocol, int internalPort, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var nonce = _nonces.GetOrAdd((protocol, internalPort), _ => RandomNumberGenerator.GetBytes(PcpMessages.NonceBytes));
        var reply = await AskAsync(protocol, internalPort, internalPort, (uint)lifetime.TotalSeconds, nonce, cancellationToken).ConfigureAwait(false);
        VersionUnsupported |= reply.Kind == PcpReplyKind.UnsupportedVersion;
        return reply is { Kind: PcpReplyKind.Mapped, External: { Port: > 0 } external, LifetimeSeconds: > 0 }
            ? new ForwardedPort(protocol, internalPort, external, TimeSpan.FromSeconds(reply.LifetimeSeconds), Method)
            : null;
    }

    public async Task DeleteAsync(ForwardedPort port, CancellationToken cancellationToken)
    {
        if (_nonces.TryRemove((port.Protocol, port.InternalPort), out var nonce))
        {
            await AskAsync(port.Protocol, port.InternalPort, 0, 0, nonce, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<PcpMapReply> AskAsync(MappedProtocol protocol, int internalPort, int externalPort, uint lifetime, byte[] nonce, CancellationToken cancellationToken)
    {
        using var socket = GatewaySocket.Open(gateway);
        if (socket is null)
        {
            return default;
        }
        var request = PcpMessages.MapRequest(protocol, socket.LocalAddress, internalPort, externalPort, lifetime, nonce);
        var reply = await socket.AskAsync(request, r => PcpMessages.ReadMap(r, protocol, internalPort, nonce).Kind != PcpReplyKind.NotOurs, Tries, cancellationToken).ConfigureAwait(false);
        return reply is null ? default : PcpMessages.ReadMap(reply, protocol, internalPort, nonce);
    }
}
