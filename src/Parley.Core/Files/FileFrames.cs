using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>The frames of file and folder transfer.</summary>
public static class FileFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        new(FrameType.FileOffer, ProtocolLimits.MaxPayload),
        new(FrameType.OfferAnswer, ProtocolLimits.MessageIdSize + 1 + ProtocolLimits.MaxCloseReasonBytes),
        new(FrameType.FileRequest, ProtocolLimits.MessageIdSize + 4 + 8),
        new(FrameType.FileBlock, FileBlockHeader.Size + ProtocolLimits.MaxBlockData),
        new(FrameType.FileEnd, ProtocolLimits.MessageIdSize + 4 + 32),
        new(FrameType.FileDone, ProtocolLimits.MessageIdSize + 4),
        new(FrameType.TransferCancel, ProtocolLimits.MessageIdSize + ProtocolLimits.MaxCloseReasonBytes),
        new(FrameType.TransferPause, ProtocolLimits.MessageIdSize + ProtocolLimits.MaxCloseReasonBytes),
    ];
}
