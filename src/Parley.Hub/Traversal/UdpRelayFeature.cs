using System.Net;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.UdpRelay;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// A member's UDP relay allocations over its link: it asks for one (and hears the port and token, or
/// why not), permits peer addresses on it, and releases it. Each request spends the member's request
/// allowance; allocations die with the member's link (and when a newer link of its device replaces it).
/// </summary>
internal sealed class UdpRelayFeature(UdpRelay relay, HubOptions options) : IHubFeature
{
    public IReadOnlyList<FrameSpec> Takes { get; } =
    [
        FrameSpec.Of<UdpRelayAllocate>(FrameType.UdpRelayAllocate),
        FrameSpec.Of<UdpRelayPermit>(FrameType.UdpRelayPermit),
        FrameSpec.Of<UdpRelayRelease>(FrameType.UdpRelayRelease),
    ];

    public IReadOnlyList<FrameSpec> Sends { get; } =
        [
            FrameSpec.Of<UdpRelayAllocated>(FrameType.UdpRelayAllocated),
            FrameSpec.Of<RelayRefused>(FrameType.UdpRelayRefused),
            FrameSpec.Of<UdpRelayPermitRefused>(FrameType.UdpRelayPermitRefused),
        ];

    public async ValueTask OnFrameAsync(Member member, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.UdpRelayAllocate:
                var ask = frame.Read<UdpRelayAllocate>();
                if (relay.Allocate(member.Id, ask.HubAddress, out var refusal) is { } allocation)
                {
                    member.Send(FrameType.UdpRelayAllocated,
                        new UdpRelayAllocated(ask.RequestId, allocation.Id, Reported(allocation.Relayed), allocation.Token, options.UdpRelayLifetime));
                }
                else
                {
                    member.Send(FrameType.UdpRelayRefused, new RelayRefused(ask.RequestId, refusal));
                }
                break;
            case FrameType.UdpRelayPermit:
                Permit(member, frame.Read<UdpRelayPermit>());
                break;
            case FrameType.UdpRelayRelease:
                if (relay.Find(member.Id, frame.Read<UdpRelayRelease>().AllocationId) is { } released)
                {
                    await relay.ReleaseAsync(released).ConfigureAwait(false);
                }
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
    }

    /// <summary>Permits the peers the relay may carry; each refused one is answered with why (at most 8 a permit, each spending nothing but this answer).</summary>
    private void Permit(Member member, UdpRelayPermit permit)
    {
        if (relay.Find(member.Id, permit.AllocationId) is not { } allocation)
        {
            return;
        }
        var allowed = new List<IPAddress>(permit.Peers.Count);
        foreach (var peer in permit.Peers)
        {
            if (relay.Peers.Refusal(peer) is { } why)
            {
                member.Send(FrameType.UdpRelayPermitRefused, new UdpRelayPermitRefused(permit.AllocationId, peer, why));
            }
            else
            {
                allowed.Add(peer);
            }
        }
        allocation.Permit(allowed, options.UdpRelayPermissionsPerAllocation);
    }

    /// <summary>Where peers send to reach the allocation: behind 1:1 NAT, the hub's public address with the allocation's port.</summary>
    private IPEndPoint Reported(IPEndPoint relayed) =>
        options.PublicAddress is { } published ? new IPEndPoint(published, relayed.Port) : relayed;

    public void OnMemberConnected(Member member) => _ = relay.ReleaseAllAsync(member.Id);

    public void OnMemberDisconnected(Member member) => _ = relay.ReleaseAllAsync(member.Id);
}
