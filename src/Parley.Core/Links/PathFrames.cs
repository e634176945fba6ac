using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>The frames a relayed link uses to find a direct path to the same peer (TCP simultaneous open).</summary>
public static class PathFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        FrameSpec.Of<PunchOffer>(FrameType.PunchOffer),
        FrameSpec.Of<PunchOffer>(FrameType.PunchAnswer),
    ];
}
