using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>What became of a <see cref="BlobPut"/>.</summary>
public enum BlobStatus : byte
{
    /// <summary>The hub holds the blob (it had it already, or every byte arrived and its SHA-256 held).</summary>
    Stored = 0,

    /// <summary>Quotas allow it: send the ciphertext as <see cref="BlobChunk"/>s.</summary>
    SendBytes = 1,

    /// <summary>Refused, with the reason (a quota, not a member of the room, a hash that did not hold).</summary>
    Refused = 2,
}

/// <summary>
/// The hub's answer to a put (and, after the last chunk, whether the blob is stored).
/// <code>
/// BlobResult: put ID u32 | status u8 | reason (UTF-8, empty unless refused)
/// </code>
/// </summary>
public sealed record BlobResult(uint PutId, BlobStatus Status, string Reason) : IWireMessage<BlobResult>
{
    public static int MaxSize => 5 + ProtocolLimits.MaxCloseReasonBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out BlobResult message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryRead(out var status) || status > 2
            || !reader.TryReadRestText(ProtocolLimits.MaxCloseReasonBytes, out var reason))
        {
            error = "no put ID, an unknown status, or a reason that is not UTF-8";
            return false;
        }
        message = new BlobResult(id, (BlobStatus)status, reason);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(PutId);
        output.WriteU8((byte)Status);
        output.Write(PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes));
    }
}
