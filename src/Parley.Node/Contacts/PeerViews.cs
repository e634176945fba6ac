using Parley.Core.Identity;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Contacts;

/// <summary>Shapes contacts for the API: the stored record joined with the live link and call, if any.</summary>
public sealed class PeerViews(ContactBook contacts, IPeerSessions sessions, TimeProvider time, IEnumerable<ICallPaths> calls)
{
    public PeerView Of(PeerRecord p) => Of(p, contacts.All);

    public IReadOnlyList<PeerView> In(PeerState state)
    {
        var all = contacts.All;
        return [.. all.Where(p => p.State == state).OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).Select(p => Of(p, all))];
    }

    private PeerView Of(PeerRecord p, IReadOnlyList<PeerRecord> all)
    {
        var id = DeviceId.Parse(p.DeviceId);
        var session = sessions.Session(id);
        return new PeerView(
            id.ToString(), p.DisplayName, p.RemoteName, p.Alias, p.State, session is not null, session?.RemoteAccepts,
            session is null ? null : session.Link.Relayed ? "relayed" : "direct", session?.Link.Direction, p.Address,
            session is not null ? time.GetUtcNow() : p.LastSeen, session?.Link.Path.ToString().ToLowerInvariant(),
            calls.Select(c => c.PathWith(id)).FirstOrDefault(path => path is not null),
            p.VerifiedAt is not null, KeyChangeOf(p, all));
    }

    /// <summary>
    /// A device ID is the hash of its key, so a key never changes under one ID: a changed key shows
    /// as another device giving the name of a contact whose key was verified. That verified
    /// contact's ID, when <paramref name="p"/> is such a device (and is not verified itself).
    /// </summary>
    private static string? KeyChangeOf(PeerRecord p, IReadOnlyList<PeerRecord> all)
    {
        if (p.VerifiedAt is not null || string.IsNullOrEmpty(p.RemoteName) || p.State == PeerState.Blocked)
        {
            return null;
        }
        var verified = all.FirstOrDefault(o => o.VerifiedAt is not null && o.DeviceId != p.DeviceId
            && (string.Equals(o.RemoteName, p.RemoteName, StringComparison.OrdinalIgnoreCase) || string.Equals(o.Alias, p.RemoteName, StringComparison.OrdinalIgnoreCase)));
        return verified is null ? null : DeviceId.Parse(verified.DeviceId).ToString();
    }
}
