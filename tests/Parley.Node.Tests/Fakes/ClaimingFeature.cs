using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;
using Parley.Node.Links;

namespace Parley.Node.Tests.Fakes;

/// <summary>A peer or hub-client feature that only claims frame types (cap 100) and counts what it is given: for the routers' ownership rules.</summary>
internal sealed class ClaimingFeature(params FrameType[] types) : IPeerFeature, IHubClientFeature
{
    public IReadOnlyList<FrameSpec> Frames { get; } = [.. types.Select(t => new FrameSpec(t, 100))];

    public int Seen { get; private set; }

    public ValueTask OnFrameAsync(PeerSession session, Frame frame) => Count();

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame) => Count();

    private ValueTask Count()
    {
        Seen++;
        return ValueTask.CompletedTask;
    }
}
