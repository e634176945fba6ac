using Parley.Core.Hub.Presence;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// How a hub shares who is online with the other hubs of its cluster (a single hub has none): it
/// publishes its own members, and hears of the members online elsewhere.
/// </summary>
internal interface IPresenceShare
{
    /// <summary>Members online on other hubs now, as those hubs last said.</summary>
    IReadOnlyCollection<PresenceNotice> Elsewhere { get; }

    bool IsOnlineElsewhere(DeviceId id);

    /// <summary>Publishes the member as here, as it is now (linked, renamed, or a new address).</summary>
    void Here(Member member);

    /// <summary>Withdraws the member, unless another hub has it by now.</summary>
    void Left(Member member);

    /// <summary>Hears each arrival (Joined) and departure (Left) on the other hubs.</summary>
    void Subscribe(Action<PresenceNotice> changed);
}

/// <summary>Everyone online in the community: on this hub, or on another of its cluster.</summary>
internal sealed class CommunityMembers(MemberRegistry local, IPresenceShare share) : IHubMembers
{
    public IReadOnlyCollection<Member> All => local.All;

    public bool TryGet(DeviceId id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Member member) => local.TryGet(id, out member);

    public bool IsOnline(DeviceId id) => local.IsOnline(id) || share.IsOnlineElsewhere(id);
}
