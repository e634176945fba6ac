using System.Collections.Concurrent;
using Parley.Core.Identity;
using Parley.Node.Links;

namespace Parley.Node.Tests.Fakes;

/// <summary>The sessions a feature sees, set by the test: who is online and over which fake link.</summary>
internal sealed class FakeSessions : IPeerSessions
{
    private readonly ConcurrentDictionary<DeviceId, PeerSession> _sessions = new();

    public IReadOnlyCollection<PeerSession> Sessions => [.. _sessions.Values];

    public PeerSession? Session(DeviceId id) => _sessions.TryGetValue(id, out var session) && !session.Link.IsClosed ? session : null;

    /// <summary>Brings <paramref name="peer"/> online with an open session (both sides consent) over a new fake link.</summary>
    public (PeerSession Session, FakePeerLink Link) Open(DeviceId peer, string name = "peer")
    {
        var link = new FakePeerLink(peer, name);
        var session = new PeerSession(link, localAccepts: true, remoteAccepts: true);
        _sessions[peer] = session;
        return (session, link);
    }

    public void Drop(DeviceId peer) => _sessions.TryRemove(peer, out _);
}
