using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>Close: code u8 | reason (UTF-8, at most 256 bytes).</summary>
public sealed record CloseMessage(CloseCode Code, string Reason) : IWireMessage<CloseMessage>
{
    public static int MaxSize => 1 + ProtocolLimits.MaxCloseReasonBytes;

    public void Write(IBufferWriter<byte> output)
    {
        var reason = PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes);
        var span = output.GetSpan(1 + reason.Length);
        span[0] = (byte)Code;
        reason.CopyTo(span[1..]);
        output.Advance(1 + reason.Length);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out CloseMessage message, out string error)
    {
        message = null;
        if (payload.Length < 1 || payload.Length > MaxSize)
        {
            error = $"close frame of {payload.Length} bytes";
            return false;
        }
        var bytes = payload.ToArray();
        if (!PayloadText.TryDecode(bytes.AsSpan(1), out var reason))
        {
            error = "close reason is not valid UTF-8";
            return false;
        }
        message = new CloseMessage((CloseCode)bytes[0], reason);
        error = "";
        return true;
    }
}
