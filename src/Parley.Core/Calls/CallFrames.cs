using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>The frames of 1:1 calls: signalling, and media when UDP does not pass.</summary>
public static class CallFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        new(FrameType.CallInvite, CallSignal.InviteSize),
        new(FrameType.CallAnswer, CallSignal.AnswerSize + ProtocolLimits.MaxCloseReasonBytes),
        new(FrameType.CallEnd, 4 + ProtocolLimits.MaxCloseReasonBytes),
        new(FrameType.CallMedia, MediaHeader.MaxPacket),
    ];
}
