using Parley.Core.Hub;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>
/// Built once from the node's hub features: which feature owns each frame type the hub sends, and
/// the hooks for the link coming and going. A type no feature owns closes the hub link.
/// </summary>
internal sealed class HubFrameRouter
{
    private readonly IHubClientFeature?[] _owners = new IHubClientFeature?[256];

    public HubFrameRouter(IEnumerable<IHubClientFeature> features)
    {
        Features = [.. features];
        foreach (var feature in Features)
        {
            foreach (var spec in feature.Frames)
            {
                if (!HubFrames.Specs.Any(s => s.Type == spec.Type) || _owners[(byte)spec.Type] is not null)
                {
                    throw new InvalidOperationException($"{feature.GetType().Name} claims {spec.Type}, which is not a hub frame or is owned by {_owners[(byte)spec.Type]?.GetType().Name}");
                }
                _owners[(byte)spec.Type] = feature;
            }
        }
    }

    /// <summary>
    /// What a link to the hub carries both ways: the link's own frames and the whole hub protocol (our
    /// requests are checked against their caps on the way out as the hub's frames are on the way in).
    /// </summary>
    public static FrameTable Frames { get; } = new([.. LinkFrames.Specs, .. HubFrames.Specs]);

    public IReadOnlyList<IHubClientFeature> Features { get; }

    public ValueTask RouteAsync(IPeerLink hub, Frame frame) =>
        _owners[(byte)frame.Type] is { } owner
            ? owner.OnFrameAsync(hub, frame)
            : throw new ProtocolException($"a hub does not send {frame.Type} frames");

    /// <summary>Tells every feature, in order, that the link is up (the directory entry goes out before rooms are rejoined).</summary>
    public async Task LinkedAsync(IPeerLink hub)
    {
        foreach (var feature in Features)
        {
            await feature.OnHubLinkedAsync(hub).ConfigureAwait(false);
        }
    }

    public void Lost()
    {
        foreach (var feature in Features)
        {
            feature.OnHubLost();
        }
    }

    public void Changed(Invite hub)
    {
        foreach (var feature in Features)
        {
            feature.OnHubChanged(hub);
        }
    }
}
