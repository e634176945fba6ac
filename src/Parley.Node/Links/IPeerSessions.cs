using Parley.Core.Identity;

namespace Parley.Node.Links;

/// <summary>The live sessions with peers, as features see them (the seam over <see cref="LinkManager"/>).</summary>
public interface IPeerSessions
{
    /// <summary>The peer's live session, or null when it has no link now.</summary>
    PeerSession? Session(DeviceId id);

    IReadOnlyCollection<PeerSession> Sessions { get; }
}
