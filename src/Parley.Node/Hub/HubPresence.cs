using System.Collections.Concurrent;
using Parley.Core.Hub.Presence;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Events;

namespace Parley.Node.Hub;

/// <summary>
/// Who the hub says is a member and whether each is online: a snapshot when we link, then changes.
/// A change also drops the member's cached directory entry (it may have published a new one).
/// </summary>
internal sealed class HubPresence(NodeIdentity identity, VerifiedDirectory directory, HubAddressLearner addresses, EventHub events) : IHubClientFeature
{
    private readonly ConcurrentDictionary<DeviceId, HubMember> _members = new();

    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<PresenceNotice>(FrameType.Presence)];

    /// <summary>Members by name, online or not.</summary>
    public IReadOnlyList<HubMember> Members => [.. _members.Values.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>True when the hub last said <paramref name="peer"/> is online there.</summary>
    public bool IsOnline(DeviceId peer) => _members.TryGetValue(peer, out var member) && member.Online;

    /// <summary>What the hub last said about <paramref name="peer"/>, if anything.</summary>
    public HubMember? Find(DeviceId peer) => _members.GetValueOrDefault(peer);

    /// <summary>Where the hub says <paramref name="peer"/> may be dialed, while it is online there; null when it does not say.</summary>
    public string? AddressOf(DeviceId peer) => _members.TryGetValue(peer, out var member) && member.Online && member.Address.Length > 0 ? member.Address : null;

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        var notice = frame.Read<PresenceNotice>();
        if (notice.DeviceId != identity.DeviceId)
        {
            var member = new HubMember(notice.DeviceId, notice.Name, notice.Kind != PresenceKind.Left, notice.LastSeen, notice.Address);
            _members[member.DeviceId] = member;
            directory.Forget(member.DeviceId);
            addresses.Learn(member);
            events.Publish(HubEvents.Presence, new HubPresenceEvent(member.DeviceId.ToString(), member.Name, member.Online, member.LastSeen));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Without a link we know no one is online; the list stays, with last-seen times.</summary>
    public void OnHubLost()
    {
        foreach (var member in _members.Values.Where(m => m.Online))
        {
            _members[member.DeviceId] = member with { Online = false };
        }
    }

    public void OnHubChanged(Invite? hub) => _members.Clear();
}
