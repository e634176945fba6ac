using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Relay;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// A member cannot reach another directly: both get a one-time ticket for a spliced connection
/// (see <see cref="RelaySwitch"/>), or the asker hears why not. The session is charged to the asker.
/// In a cluster, a peer online on another hub is reached through that hub (<see cref="IRelayBridge"/>).
/// </summary>
internal sealed class RelayFeature(RelaySwitch relay, IHubMembers members, IRelayBridge? bridge, ILogger logger) : IHubFeature
{
    public IReadOnlyList<FrameSpec> Takes { get; } = [FrameSpec.Of<RelayRequest>(FrameType.RelayRequest)];

    public IReadOnlyList<FrameSpec> Sends { get; } =
        [FrameSpec.Of<RelayTicket>(FrameType.RelayTicket), FrameSpec.Of<RelayRefused>(FrameType.RelayRefused)];

    public ValueTask OnFrameAsync(Member member, Frame frame)
    {
        var (peer, requestId) = frame.Read<RelayRequest>();
        if (peer == member.Id)
        {
            member.Send(FrameType.RelayRefused, new RelayRefused(requestId, "cannot relay to yourself"));
        }
        else if (members.TryGet(peer, out var target))
        {
            RelayHere(member, target, requestId);
        }
        else if (bridge is not null && bridge.Reaches(peer))
        {
            // Not awaited: the other hub's answer takes a round trip over NATS, and this member's other frames must not wait for it.
            _ = RelayAcrossAsync(bridge, member, peer, requestId);
        }
        else
        {
            member.Send(FrameType.RelayRefused, new RelayRefused(requestId, $"{peer.Short} is not online at this hub"));
        }
        return ValueTask.CompletedTask;
    }

    private void RelayHere(Member member, Member target, uint requestId)
    {
        if (relay.Open(member.Id, out var full) is not { } tokens)
        {
            member.Send(FrameType.RelayRefused, new RelayRefused(requestId, full));
            return;
        }
        target.Send(FrameType.RelayTicket, new RelayTicket(0, Invited: true, member.Id, tokens.Invited));
        member.Send(FrameType.RelayTicket, new RelayTicket(requestId, Invited: false, target.Id, tokens.Asker));
        HubLog.Relaying(logger, member.Id.Short, target.Id.Short);
    }

    private async Task RelayAcrossAsync(IRelayBridge across, Member member, DeviceId peer, uint requestId)
    {
        if (relay.Open(member.Id, out var full) is not { } tokens)
        {
            member.Send(FrameType.RelayRefused, new RelayRefused(requestId, full));
            return;
        }
        if (await across.BridgeAsync(member.Id, peer, tokens.Invited).ConfigureAwait(false) is { } refusal)
        {
            relay.Cancel(tokens.Asker, tokens.Invited);
            member.Send(FrameType.RelayRefused, new RelayRefused(requestId, refusal));
            return;
        }
        member.Send(FrameType.RelayTicket, new RelayTicket(requestId, Invited: false, peer, tokens.Asker));
        HubLog.Relaying(logger, member.Id.Short, peer.Short);
    }
}
