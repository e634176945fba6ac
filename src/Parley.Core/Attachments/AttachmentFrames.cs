using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>The frames of attachments: over a link to a contact (reference, ciphertext chunks), and the hub's blob store (put, chunk, result, get, data, error).</summary>
public static class AttachmentFrames
{
    public static IReadOnlyList<FrameSpec> Link { get; } =
    [
        FrameSpec.Of<AttachmentRef>(FrameType.AttachmentRef),
        FrameSpec.Of<AttachmentChunk>(FrameType.AttachmentChunk),
    ];

    public static IReadOnlyList<FrameSpec> HubBlobs { get; } =
    [
        FrameSpec.Of<BlobPut>(FrameType.BlobPut),
        FrameSpec.Of<BlobChunk>(FrameType.BlobChunk),
        FrameSpec.Of<BlobResult>(FrameType.BlobResult),
        FrameSpec.Of<BlobGet>(FrameType.BlobGet),
        FrameSpec.Of<BlobData>(FrameType.BlobData),
        FrameSpec.Of<BlobError>(FrameType.BlobError),
    ];
}
