using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Links;

/// <summary>
/// Built once from the node's features: which feature owns each frame type, and the frame table
/// (with caps) peer links read with. A type no feature owns never reaches a handler: the reader
/// refuses it, and <see cref="RouteAsync"/> refuses it again as a protocol error.
/// </summary>
public sealed class FrameRouter
{
    private readonly FrameOwners<IPeerFeature> _owners;
    private readonly IReadOnlyList<IPeerFeature> _features;

    /// <exception cref="InvalidOperationException">Two features claim one frame type, or a feature claims one the link itself handles.</exception>
    public FrameRouter(IEnumerable<IPeerFeature> features)
    {
        _features = [.. features];
        _owners = new FrameOwners<IPeerFeature>(_features, f => f.Frames);
        Frames = new FrameTable([.. LinkFrames.Specs, .. _features.SelectMany(f => f.Frames)]);
    }

    /// <summary>Every frame type a peer link of this node takes: the link's own and the features'.</summary>
    public FrameTable Frames { get; }

    public ValueTask RouteAsync(PeerSession session, Frame frame) =>
        _owners.For(frame.Type) is { } owner
            ? owner.OnFrameAsync(session, frame)
            : throw new ProtocolException($"{frame.Type} is not a frame a node takes");

    /// <summary>Tells every feature, in order, that a session opened. One feature's failure does not keep the next from hearing.</summary>
    public async Task SessionOpenedAsync(PeerSession session)
    {
        foreach (var feature in _features)
        {
            await feature.OnSessionOpenedAsync(session).ConfigureAwait(false);
        }
    }

    /// <summary>True when any feature holds the peer's link (see <see cref="IPeerFeature.HoldsLink"/>).</summary>
    public bool HoldsLink(DeviceId peer) => _features.Any(f => f.HoldsLink(peer));

    public void SessionClosed(DeviceId peer, string reason)
    {
        foreach (var feature in _features)
        {
            feature.OnSessionClosed(peer, reason);
        }
    }
}
