using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>
/// Why the hub cannot give a blob (it does not hold it: never stored, or gone with retention).
/// <code>
/// BlobError: request ID u32 | reason (UTF-8)
/// </code>
/// </summary>
public sealed record BlobError(uint RequestId, string Reason) : IWireMessage<BlobError>
{
    public static int MaxSize => 4 + ProtocolLimits.MaxCloseReasonBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out BlobError message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadRestText(ProtocolLimits.MaxCloseReasonBytes, out var reason))
        {
            error = "no request ID, or a reason that is not UTF-8";
            return false;
        }
        message = new BlobError(id, reason);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.Write(PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes));
    }
}
