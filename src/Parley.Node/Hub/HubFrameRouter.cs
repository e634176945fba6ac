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
    private readonly FrameOwners<IHubClientFeature> _owners;

    public HubFrameRouter(IEnumerable<IHubClientFeature> features)
    {
        Features = [.. features];
        if (Features.SelectMany(f => f.Frames).FirstOrDefault(spec => !HubFrames.Specs.Any(s => s.Type == spec.Type)) is { } stray)
        {
            throw new InvalidOperationException($"{stray.Type} is not a hub frame");
        }
        _owners = new FrameOwners<IHubClientFeature>(Features, f => f.Frames);
    }

    /// <summary>
    /// What a link to the hub carries both ways: the link's own frames and the whole hub protocol (our
    /// requests are checked against their caps on the way out as the hub's frames are on the way in).
    /// </summary>
    public static FrameTable Frames { get; } = new([.. LinkFrames.Specs, .. HubFrames.Specs]);

    public IReadOnlyList<IHubClientFeature> Features { get; }

    public ValueTask RouteAsync(IPeerLink hub, Frame frame) =>
        _owners.For(frame.Type) is { } owner
            ? owner.OnFrameAsync(hub, frame)
            : throw new ProtocolException($"a hub does not send {frame.Type} frames");

    /// <summary>Tells every feature, in order, that the link is up (our directory entry is already on its way).</summary>
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

    public void Changed(Invite? hub)
    {
        foreach (var feature in Features)
        {
            feature.OnHubChanged(hub);
        }
    }
}
