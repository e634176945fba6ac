using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Relay;

/// <summary>
/// The hub will not relay (the peer is offline, the relay is full...), and says why.
/// <code>
/// RelayRefused: request ID u32 | reason (UTF-8, may be empty)
/// </code>
/// </summary>
public sealed record RelayRefused(uint RequestId, string Reason) : IWireMessage<RelayRefused>
{
    public static int MaxSize => 4 + ProtocolLimits.MaxCloseReasonBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RelayRefused message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadRestText(ProtocolLimits.MaxCloseReasonBytes, out var reason))
        {
            error = "no request ID, or a reason that is not UTF-8";
            return false;
        }
        message = new RelayRefused(id, reason);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.Write(PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes));
    }
}
