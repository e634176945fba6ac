using Parley.Core.Hub.Presence;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Tells members who is online: a newcomer gets everyone already here, and everyone hears of each
/// arrival, rename and departure. Members send it nothing.
/// </summary>
internal sealed class PresenceFeature(IHubMembers members, TimeProvider time) : IHubFeature
{
    public IReadOnlyList<FrameSpec> Takes { get; } = [];

    public IReadOnlyList<FrameSpec> Sends { get; } = [FrameSpec.Of<PresenceNotice>(FrameType.Presence)];

    public ValueTask OnFrameAsync(Member member, Frame frame) => throw new ProtocolException($"a hub does not take {frame.Type} frames");

    public void OnMemberConnected(Member member)
    {
        var now = time.GetUtcNow();
        foreach (var other in members.All.Where(m => m.Id != member.Id))
        {
            member.Send(FrameType.Presence, new PresenceNotice(PresenceKind.Here, other.Id, now, other.Name, other.Address));
        }
        Announce(member);
    }

    public void OnMemberDisconnected(Member member) =>
        Broadcast(member, new PresenceNotice(PresenceKind.Left, member.Id, time.GetUtcNow(), member.Name));

    /// <summary>Tells the others the member is here, as it is now (after it joined or renamed itself).</summary>
    public void Announce(Member member) =>
        Broadcast(member, new PresenceNotice(PresenceKind.Joined, member.Id, time.GetUtcNow(), member.Name, member.Address));

    private void Broadcast(Member about, PresenceNotice notice)
    {
        var encoded = notice.ToArray();
        foreach (var other in members.All.Where(m => m.Id != about.Id))
        {
            other.Link.TrySend(FrameType.Presence, encoded);
        }
    }
}
