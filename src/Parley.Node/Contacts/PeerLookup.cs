using Parley.Core.Identity;
using Parley.Node.Discovery;
using Parley.Node.Storage;

namespace Parley.Node.Contacts;

/// <summary>
/// What the user typed for a peer (a name, an ID prefix, a device ID, URL-escaped in a route), among
/// known and nearby devices. A device ID or prefix reaches any of them; a name reaches those the
/// action is about first, so a stranger (a request, a device announcing itself on the LAN) that
/// calls itself like a contact cannot take the contact's name.
/// </summary>
public sealed class PeerLookup(ContactBook contacts, NearbyList nearby)
{
    /// <summary>For talking to a peer: names of contacts, then of nearby devices; requests, denied and blocked devices by ID or prefix only.</summary>
    public DeviceId Resolve(string text) => Find(text, Known(PeerState.Contact), Nearby());

    /// <summary>
    /// For accepting or denying a request: names of requests first (so a request is reached by a
    /// name unique among requests, even if a contact has it too), then as <see cref="Resolve"/>, then denied and blocked devices.
    /// </summary>
    public DeviceId ResolveRequest(string text) =>
        Find(text, Known(PeerState.Request), Known(PeerState.Contact), Nearby(), Known(PeerState.Denied, PeerState.Blocked));

    /// <summary>For blocking: a name shared by a contact and a request is ambiguous (say which by ID), never a guess.</summary>
    public DeviceId ResolveToBlock(string text) => Find(text, Known(PeerState.Contact, PeerState.Request), Nearby());

    /// <summary>A route's peer segment names a room (<c>#team</c>, or <c>%23team</c> escaped).</summary>
    public static bool IsRoom(string segment) => Uri.UnescapeDataString(segment).StartsWith('#');

    private DeviceId Find(string text, params IEnumerable<PeerCandidate>[] named)
    {
        // Last, by ID and prefix only: every device we hold a record of.
        IEnumerable<PeerCandidate> everyone = contacts.All.Select(r => new PeerCandidate(DeviceId.Parse(r.DeviceId)));
        return PeerResolver.ResolveInTiers(Uri.UnescapeDataString(text), [.. named, everyone]);
    }

    private IEnumerable<PeerCandidate> Known(params PeerState[] states) =>
        contacts.All.Where(r => states.Contains(r.State)).Select(r => new PeerCandidate(DeviceId.Parse(r.DeviceId), [r.Alias ?? "", r.RemoteName]));

    private IEnumerable<PeerCandidate> Nearby() =>
        nearby.Current.Where(n => contacts.Find(n.DeviceId)?.State is not (PeerState.Denied or PeerState.Blocked))
            .Select(n => new PeerCandidate(n.DeviceId, n.Name));
}
