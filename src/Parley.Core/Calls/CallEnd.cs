using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// Hanging up (or cancelling a ring): the other side ends the call too and shows the reason.
/// <code>
/// call ID u32 | reason (UTF-8, at most 256 bytes; empty: "the other side hung up")
/// </code>
/// </summary>
public sealed record CallEnd(uint CallId, string Reason) : IWireMessage<CallEnd>
{
    public const int FixedSize = 4;

    public static int MaxSize => FixedSize + ProtocolLimits.MaxCloseReasonBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out CallEnd message, out string error)
    {
        message = null;
        if (payload.Length < FixedSize || payload.Length > MaxSize)
        {
            error = $"call end of {payload.Length} bytes, expected {FixedSize} to {MaxSize}";
            return false;
        }
        Span<byte> bytes = stackalloc byte[(int)payload.Length];
        payload.CopyTo(bytes);
        if (!PayloadText.TryDecode(bytes[FixedSize..], out var reason))
        {
            error = "call end reason is not UTF-8";
            return false;
        }
        message = new CallEnd(BinaryPrimitives.ReadUInt32BigEndian(bytes), reason);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var reason = PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes);
        var bytes = output.GetSpan(FixedSize + reason.Length);
        BinaryPrimitives.WriteUInt32BigEndian(bytes, CallId);
        reason.CopyTo(bytes[FixedSize..]);
        output.Advance(FixedSize + reason.Length);
    }
}
