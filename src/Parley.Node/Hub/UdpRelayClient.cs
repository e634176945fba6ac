using System.Net;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.UdpRelay;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>
/// Asks the hub for UDP relay allocations over the hub link, and takes its grants and refusals. The
/// allocation is asked for on the hub address this node's link reached, so the hub's relay socket
/// sits where our NAT (and the peer's) already sends.
/// </summary>
internal sealed class UdpRelayClient(IHubChannel channel, TimeProvider time) : IHubClientFeature
{
    private readonly HubExchange<UdpRelayAllocated> _grants = new(channel, time, "the UDP relay allocation");

    public IReadOnlyList<FrameSpec> Frames { get; } =
        [
            FrameSpec.Of<UdpRelayAllocated>(FrameType.UdpRelayAllocated),
            FrameSpec.Of<RelayRefused>(FrameType.UdpRelayRefused),
            FrameSpec.Of<UdpRelayPermitRefused>(FrameType.UdpRelayPermitRefused),
        ];

    public IHubChannel Channel => channel;

    /// <summary>A new allocation, or a <see cref="HubUnavailableException"/> / <see cref="InvalidOperationException"/> saying why not.</summary>
    public Task<UdpRelayAllocated> AllocateAsync(CancellationToken cancellationToken)
    {
        var hub = channel.RequireLink().RemoteEndPoint.Address;
        var address = hub.IsIPv4MappedToIPv6 ? hub.MapToIPv4() : hub;
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? _grants.AskAsync(FrameType.UdpRelayAllocate, id => new UdpRelayAllocate(id, address), cancellationToken)
            : throw new HubUnavailableException("the hub's UDP relay needs an IPv4 link to the hub");
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (frame.Type == FrameType.UdpRelayPermitRefused)
        {
            // The hub will not carry that peer (a private or local address it does not serve): the
            // peer's other candidates and relays remain, and this one simply finds no path.
            return ValueTask.CompletedTask;
        }
        if (frame.Type == FrameType.UdpRelayRefused)
        {
            var refusal = frame.Read<RelayRefused>();
            _grants.Refuse(refusal.RequestId, new InvalidOperationException("the hub refused a UDP relay: " + refusal.Reason));
        }
        else
        {
            var grant = frame.Read<UdpRelayAllocated>();
            if (!_grants.TryAnswer(grant.RequestId, grant))
            {
                // Granted after we stopped waiting: give the port back rather than leave it to expire.
                channel.TrySend(FrameType.UdpRelayRelease, new UdpRelayRelease(grant.AllocationId));
            }
        }
        return ValueTask.CompletedTask;
    }

    public void OnHubLost() => _grants.FailAll();
}
