using System.Net;
using Parley.Core.Protocol;
using Parley.Core.Traversal;

namespace Parley.Hub;

/// <summary>
/// Takes a member's word for the port its router forwards to it (<see cref="ReachableAt"/>), but only at
/// the address its link comes from, so the hub never hands out an address the member does not hold;
/// then tells the others again where to dial it.
/// </summary>
internal sealed class ReachabilityFeature(PresenceFeature presence) : IHubFeature
{
    public IReadOnlyList<FrameSpec> Takes { get; } = [FrameSpec.Of<ReachableAt>(FrameType.ReachableAt)];

    public IReadOnlyList<FrameSpec> Sends { get; } = [];

    public ValueTask OnFrameAsync(Member member, Frame frame)
    {
        var reachable = frame.Read<ReachableAt>().EndPoint;
        var seen = member.Link.RemoteEndPoint.Address;
        if ((seen.IsIPv4MappedToIPv6 ? seen.MapToIPv4() : seen).Equals(reachable.Address) && member.Address != reachable.ToString())
        {
            member.Address = reachable.ToString();
            presence.Announce(member);
        }
        return ValueTask.CompletedTask;
    }
}
