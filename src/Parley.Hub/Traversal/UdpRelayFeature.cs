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
        [FrameSpec.Of<UdpRelayAllocated>(FrameType.UdpRelayAllocated), FrameSpec.Of<RelayRefused>(FrameType.UdpRelayRefused)];

    public async ValueTask OnFrameAsync(Member member, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.UdpRelayAllocate:
                var ask = frame.Read<UdpRelayAllocate>();
                if (relay.Allocate(member.Id, ask.HubAddress, out var refusal) is { } allocation)
                {
                    member.Send(FrameType.UdpRelayAllocated,
                        new UdpRelayAllocated(ask.RequestId, allocation.Id, allocation.Relayed, allocation.Token, options.UdpRelayLifetime));
                }
                else
                {
                    member.Send(FrameType.UdpRelayRefused, new RelayRefused(ask.RequestId, refusal));
                }
                break;
            case FrameType.UdpRelayPermit:
                var permit = frame.Read<UdpRelayPermit>();
                relay.Find(member.Id, permit.AllocationId)?.Permit(permit.Peers, options.UdpRelayPermissionsPerAllocation);
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

    public void OnMemberConnected(Member member) => _ = relay.ReleaseAllAsync(member.Id);

    public void OnMemberDisconnected(Member member) => _ = relay.ReleaseAllAsync(member.Id);
}
