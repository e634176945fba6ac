using Parley.Core.Identity;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Contacts;

/// <summary>Shapes contacts for the API: the stored record joined with the live link and call, if any.</summary>
public sealed class PeerViews(ContactBook contacts, IPeerSessions sessions, TimeProvider time, IEnumerable<ICallPaths> calls)
{
    public PeerView Of(PeerRecord p)
    {
        var id = DeviceId.Parse(p.DeviceId);
        var session = sessions.Session(id);
        return new PeerView(
            id.ToString(), p.DisplayName, p.RemoteName, p.Alias, p.State, session is not null, session?.RemoteAccepts,
            session is null ? null : session.Link.Relayed ? "relayed" : "direct", session?.Link.Direction, p.Address,
            session is not null ? time.GetUtcNow() : p.LastSeen, session?.Link.Path.ToString().ToLowerInvariant(),
            calls.Select(c => c.PathWith(id)).FirstOrDefault(path => path is not null));
    }

    public IReadOnlyList<PeerView> In(PeerState state) =>
        [.. contacts.All.Where(p => p.State == state).OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).Select(Of)];
}
