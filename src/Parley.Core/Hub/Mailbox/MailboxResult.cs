using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Mailbox;

/// <summary>
/// Whether the hub stored a <see cref="MailboxPut"/>, and if not why (the recipient's quota, an unknown recipient...).
/// <code>
/// MailboxResult: put ID u32 | stored u8 | reason (UTF-8, empty when stored)
/// </code>
/// </summary>
public sealed record MailboxResult(uint PutId, bool Stored, string Reason) : IWireMessage<MailboxResult>
{
    public static int MaxSize => 5 + ProtocolLimits.MaxCloseReasonBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out MailboxResult message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryRead(out var stored) || stored > 1
            || !reader.TryReadRestText(ProtocolLimits.MaxCloseReasonBytes, out var reason))
        {
            error = "no put ID, a stored flag other than 0 or 1, or a reason that is not UTF-8";
            return false;
        }
        message = new MailboxResult(id, stored == 1, reason);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(PutId);
        output.WriteU8(Stored ? (byte)1 : (byte)0);
        output.Write(PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes));
    }
}
