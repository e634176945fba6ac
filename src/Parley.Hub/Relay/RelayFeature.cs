using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Relay;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// A member cannot reach another directly: both get a one-time ticket for a spliced connection
/// (see <see cref="RelaySwitch"/>), or the asker hears why not. The session is charged to the asker.
/// </summary>
internal sealed class RelayFeature(RelaySwitch relay, IHubMembers members, ILogger logger) : IHubFeature
{
    public IReadOnlyList<FrameSpec> Takes { get; } = [FrameSpec.Of<RelayRequest>(FrameType.RelayRequest)];

    public IReadOnlyList<FrameSpec> Sends { get; } =
        [FrameSpec.Of<RelayTicket>(FrameType.RelayTicket), FrameSpec.Of<RelayRefused>(FrameType.RelayRefused)];

    public ValueTask OnFrameAsync(Member member, Frame frame)
    {
        var (peer, requestId) = frame.Read<RelayRequest>();
        if (Refusal(member, peer, out var target) is { } refusal)
        {
            member.Send(FrameType.RelayRefused, new RelayRefused(requestId, refusal));
        }
        else if (relay.Open(member.Id, out var full) is not { } tokens)
        {
            member.Send(FrameType.RelayRefused, new RelayRefused(requestId, full));
        }
        else
        {
            target.Send(FrameType.RelayTicket, new RelayTicket(0, Invited: true, member.Id, tokens.Invited));
            member.Send(FrameType.RelayTicket, new RelayTicket(requestId, Invited: false, peer, tokens.Asker));
            HubLog.Relaying(logger, member.Id.Short, peer.Short);
        }
        return ValueTask.CompletedTask;
    }

    private string? Refusal(Member member, Core.Identity.DeviceId peer, out Member target)
    {
        target = member;
        if (peer == member.Id)
        {
            return "cannot relay to yourself";
        }
        return members.TryGet(peer, out target!) ? null : $"{peer.Short} is not online at this hub";
    }
}
