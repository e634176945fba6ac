using Parley.Core.Identity;
using Parley.Node.Discovery;

namespace Parley.Node.Contacts;

/// <summary>What the user typed for a peer (a name, an ID prefix, a device ID, URL-escaped in a route), among known and nearby devices.</summary>
public sealed class PeerLookup(ContactBook contacts, NearbyList nearby)
{
    public DeviceId Resolve(string text) => PeerResolver.Resolve(
        Uri.UnescapeDataString(text),
        contacts.All.Select(p => new PeerCandidate(DeviceId.Parse(p.DeviceId), [p.Alias ?? "", p.RemoteName]))
            .Concat(nearby.Current.Select(n => new PeerCandidate(n.DeviceId, n.Name))));

    /// <summary>A route's peer segment names a room (<c>#team</c>, or <c>%23team</c> escaped).</summary>
    public static bool IsRoom(string segment) => Uri.UnescapeDataString(segment).StartsWith('#');
}
