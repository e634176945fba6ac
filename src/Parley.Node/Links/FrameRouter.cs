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
    private readonly IPeerFeature?[] _owners = new IPeerFeature?[256];
    private readonly IReadOnlyList<IPeerFeature> _features;

    public FrameRouter(IEnumerable<IPeerFeature> features)
    {
        _features = [.. features];
        foreach (var feature in _features)
        {
            foreach (var spec in feature.Frames)
            {
                if (_owners[(byte)spec.Type] is { } owner || LinkFrames.Specs.Any(s => s.Type == spec.Type))
                {
                    throw new InvalidOperationException($"{feature.GetType().Name} claims {spec.Type}, already owned by {_owners[(byte)spec.Type]?.GetType().Name ?? "the link"}");
                }
                _owners[(byte)spec.Type] = feature;
            }
        }
        Frames = new FrameTable([.. LinkFrames.Specs, .. _features.SelectMany(f => f.Frames)]);
    }

    /// <summary>Every frame type a peer link of this node takes: the link's own and the features'.</summary>
    public FrameTable Frames { get; }

    public ValueTask RouteAsync(PeerSession session, Frame frame) =>
        _owners[(byte)frame.Type] is { } owner
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

    public void SessionClosed(DeviceId peer, string reason)
    {
        foreach (var feature in _features)
        {
            feature.OnSessionClosed(peer, reason);
        }
    }
}
