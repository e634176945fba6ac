using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Discovery;

namespace Parley.Node.Api;

/// <summary>What several areas' endpoints share.</summary>
internal static class ApiHelpers
{
    /// <summary>What the user typed for a peer, as a device ID, among known and nearby devices.</summary>
    public static DeviceId Resolve(ContactBook contacts, NearbyList nearby, string text) => PeerResolver.Resolve(
        Uri.UnescapeDataString(text),
        contacts.All.Select(p => new PeerCandidate(DeviceId.Parse(p.DeviceId), [p.Alias ?? "", p.RemoteName]))
            .Concat(nearby.Current.Select(n => new PeerCandidate(n.DeviceId, n.Name))));
}
