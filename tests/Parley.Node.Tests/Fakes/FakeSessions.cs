using System.Collections.Concurrent;
using System.Security.Cryptography;
using Parley.Core.Identity;
using Parley.Node.Links;

namespace Parley.Node.Tests.Fakes;

/// <summary>The sessions a feature sees, set by the test: who is online and over which fake link.</summary>
internal sealed class FakeSessions : IPeerSessions
{
    private readonly ConcurrentDictionary<DeviceId, PeerSession> _sessions = new();

    public IReadOnlyCollection<PeerSession> Sessions => [.. _sessions.Values];

    public PeerSession? Session(DeviceId id) => _sessions.TryGetValue(id, out var session) && !session.Link.IsClosed ? session : null;

    /// <summary>An open session (both sides consent) over <paramref name="link"/>, replacing the peer's previous one.</summary>
    public PeerSession Open(FakePeerLink link) => _sessions[link.RemoteId] = new PeerSession(link, localAccepts: true, remoteAccepts: true);

    /// <summary>Brings <paramref name="peer"/> online with an open session over a new fake link.</summary>
    public (PeerSession Session, FakePeerLink Link) Open(DeviceId peer, string name = "peer")
    {
        var link = new FakePeerLink(peer, name);
        return (Open(link), link);
    }

    /// <summary>Brings a new peer called <paramref name="name"/> (a random device id) online.</summary>
    public (PeerSession Session, FakePeerLink Link) Open(string name) =>
        Open(new DeviceId(RandomNumberGenerator.GetBytes(DeviceId.Size)), name);
}
