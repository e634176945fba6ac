using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>Why an owner refused a list or read request: the code a viewer acts on (the reason text is for people).</summary>
public enum VideoRefusal : byte
{
    Failed = 0,
    NotSharing = 1,
    NotShared = 2,
    UnknownVideo = 3,
    PastEnd = 4,
    Busy = 5,
}

/// <summary>
/// VideoError: the owner's answer to a list or read request it will not or cannot carry out.
/// <code>
/// request ID u32 | refusal code u8 | reason (UTF-8, at most 256 bytes, cut at a character when longer)
/// </code>
/// A code this version does not know reads as <see cref="VideoRefusal.Failed"/>, so a newer owner's codes still fail cleanly.
/// </summary>
public sealed record VideoError(uint Request, VideoRefusal Code, string Reason) : IWireMessage<VideoError>
{
    public static int MaxSize => VideoRequestId.Size + 1 + ProtocolLimits.MaxCloseReasonBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out VideoError message, out string error)
    {
        message = null;
        if (payload.Length < VideoRequestId.Size + 1 || payload.Length > MaxSize || !VideoRequestId.TryReadRequest(payload, out var request))
        {
            error = $"video error of {payload.Length} bytes has no code or is too long";
            return false;
        }
        var rest = payload.Slice(VideoRequestId.Size).ToArray();
        if (!PayloadText.TryDecode(rest.AsSpan(1), out var reason))
        {
            error = "video error with a reason that is not UTF-8";
            return false;
        }
        var code = (VideoRefusal)rest[0];
        message = new VideoError(request, Enum.IsDefined(code) ? code : VideoRefusal.Failed, reason);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        VideoRequestId.WriteRequest(output, Request);
        output.Write([(byte)Code, .. PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes)]);
    }
}
