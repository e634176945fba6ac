using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Node.Links;

/// <summary>
/// A feature that speaks to peers over their links (chat, files, videos, calls). It declares the
/// frame types it owns; the <see cref="FrameRouter"/> gives it exactly those, one at a time per link,
/// and only from peers whose session is open (both sides consent). Throwing
/// <see cref="ProtocolException"/> from a handler closes that one link with the message as reason.
/// </summary>
public interface IPeerFeature
{
    /// <summary>The frame types this feature owns, with their caps. No two features may own one type.</summary>
    IReadOnlyList<FrameSpec> Frames { get; }

    ValueTask OnFrameAsync(PeerSession session, Frame frame);

    /// <summary>Both sides now consent on a new link: send what waited for the peer.</summary>
    Task OnSessionOpenedAsync(PeerSession session) => Task.CompletedTask;

    /// <summary>
    /// True while something of this feature runs on the peer's current link that moving the peer to a
    /// better link would break, so a relayed link waits to be upgraded until it is done.
    /// </summary>
    bool HoldsLink(DeviceId peer) => false;

    /// <summary>The peer's link closed and no other replaced it: the peer is offline.</summary>
    void OnSessionClosed(DeviceId peer, string reason)
    {
    }
}
