using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>The frames of file and folder transfer, each capped by its message (docs/protocol.md, Files).</summary>
public static class FileFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        FrameSpec.Of<FileOffer>(FrameType.FileOffer),
        FrameSpec.Of<OfferAnswer>(FrameType.OfferAnswer),
        FrameSpec.Of<FileRequest>(FrameType.FileRequest),
        FrameSpec.Of<FileBlock>(FrameType.FileBlock),
        FrameSpec.Of<FileEnd>(FrameType.FileEnd),
        FrameSpec.Of<FileBundle>(FrameType.FileBundle),
        FrameSpec.Of<FileDone>(FrameType.FileDone),
        FrameSpec.Of<TransferStop>(FrameType.TransferCancel),
        FrameSpec.Of<TransferStop>(FrameType.TransferPause),
    ];
}
