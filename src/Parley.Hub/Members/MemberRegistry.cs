using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>Who is linked to the hub now: what a hub feature may ask about the other members.</summary>
internal interface IHubMembers
{
    bool TryGet(DeviceId id, [MaybeNullWhen(false)] out Member member);

    bool IsOnline(DeviceId id);

    /// <summary>A snapshot of everyone online.</summary>
    IReadOnlyCollection<Member> All { get; }
}

/// <summary>The members online, one per device: a newer link from a device replaces the older one.</summary>
internal sealed class MemberRegistry : IHubMembers
{
    private readonly ConcurrentDictionary<DeviceId, Member> _members = new();

    public IReadOnlyCollection<Member> All => [.. _members.Values];

    public bool TryGet(DeviceId id, [MaybeNullWhen(false)] out Member member) => _members.TryGetValue(id, out member);

    public bool IsOnline(DeviceId id) => _members.ContainsKey(id);

    /// <summary>True while <paramref name="member"/> is the device's current link (not one since replaced).</summary>
    public bool IsCurrent(Member member) => _members.TryGetValue(member.Id, out var current) && current == member;

    /// <summary>Adds the member; returns the one it replaces, if any.</summary>
    public Member? Add(Member member)
    {
        Member? replaced = null;
        _members.AddOrUpdate(member.Id, member, (_, old) =>
        {
            replaced = old;
            return member;
        });
        return replaced;
    }

    /// <summary>Removes the member unless a newer link replaced it; true when it was removed.</summary>
    public bool Remove(Member member) => _members.TryRemove(new KeyValuePair<DeviceId, Member>(member.Id, member));
}
