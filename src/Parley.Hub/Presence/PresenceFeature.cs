using Parley.Core.Hub.Presence;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Tells members who is online: a newcomer gets everyone already here, and everyone hears of each
/// arrival, rename and departure. Members send it nothing. In a cluster, members online on the other
/// hubs are told alike, through the <see cref="IPresenceShare"/>.
/// </summary>
internal sealed class PresenceFeature : IHubFeature
{
    private readonly IHubMembers _members;
    private readonly TimeProvider _time;
    private readonly IPresenceShare? _share;

    /// <param name="members">This hub's own members (not the cluster's).</param>
    public PresenceFeature(IHubMembers members, TimeProvider time, IPresenceShare? share = null)
    {
        _members = members;
        _time = time;
        _share = share;
        share?.Subscribe(OnElsewhere);
    }

    public IReadOnlyList<FrameSpec> Takes { get; } = [];

    public IReadOnlyList<FrameSpec> Sends { get; } = [FrameSpec.Of<PresenceNotice>(FrameType.Presence)];

    public ValueTask OnFrameAsync(Member member, Frame frame) => throw new ProtocolException($"a hub does not take {frame.Type} frames");

    public void OnMemberConnected(Member member)
    {
        var now = _time.GetUtcNow();
        foreach (var other in _members.All.Where(m => m.Id != member.Id))
        {
            member.Send(FrameType.Presence, new PresenceNotice(PresenceKind.Here, other.Id, now, other.Name, other.Address));
        }
        foreach (var other in _share?.Elsewhere ?? [])
        {
            if (other.DeviceId != member.Id && !_members.IsOnline(other.DeviceId))
            {
                member.Send(FrameType.Presence, other with { Kind = PresenceKind.Here });
            }
        }
        Announce(member);
    }

    public void OnMemberDisconnected(Member member)
    {
        _share?.Left(member);
        Broadcast(member, new PresenceNotice(PresenceKind.Left, member.Id, _time.GetUtcNow(), member.Name));
    }

    /// <summary>Tells the others the member is here, as it is now (after it joined or renamed itself).</summary>
    public void Announce(Member member)
    {
        _share?.Here(member);
        Broadcast(member, new PresenceNotice(PresenceKind.Joined, member.Id, _time.GetUtcNow(), member.Name, member.Address));
    }

    /// <summary>A member came or went on another hub; one linked here now is this hub's to tell of.</summary>
    private void OnElsewhere(PresenceNotice notice)
    {
        if (_members.TryGet(notice.DeviceId, out _))
        {
            return;
        }
        var encoded = notice.ToArray();
        foreach (var other in _members.All)
        {
            other.Link.TrySend(FrameType.Presence, encoded);
        }
    }

    private void Broadcast(Member about, PresenceNotice notice)
    {
        var encoded = notice.ToArray();
        foreach (var other in _members.All.Where(m => m.Id != about.Id))
        {
            other.Link.TrySend(FrameType.Presence, encoded);
        }
    }
}
