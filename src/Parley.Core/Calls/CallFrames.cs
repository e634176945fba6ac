using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>The frames of 1:1 calls: signalling, and media when UDP does not pass. Each cap is its message's own.</summary>
public static class CallFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        FrameSpec.Of<CallInvite>(FrameType.CallInvite),
        FrameSpec.Of<CallAnswer>(FrameType.CallAnswer),
        FrameSpec.Of<CallEnd>(FrameType.CallEnd),
        FrameSpec.Of<MediaPacket>(FrameType.CallMedia),
        FrameSpec.Of<CallCandidates>(FrameType.CallCandidates),
        FrameSpec.Of<CallRelayCandidates>(FrameType.CallRelayCandidates),
        FrameSpec.Of<CallPageSignal>(FrameType.CallPageSignal),
    ];
}
