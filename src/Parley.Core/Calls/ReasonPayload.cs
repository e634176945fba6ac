using System.Buffers;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// The shape <see cref="CallAnswer"/> and <see cref="CallEnd"/> share: a fixed part, then a reason in
/// strict UTF-8 up to the close-reason cap (256 bytes), cut at a character boundary when written.
/// </summary>
internal static class ReasonPayload
{
    public static int MaxSize(int fixedSize) => fixedSize + ProtocolLimits.MaxCloseReasonBytes;

    /// <summary>Copies the fixed part into <paramref name="fixedPart"/> and decodes the reason after it.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> payload, Span<byte> fixedPart, string what, out string reason, out string error)
    {
        reason = "";
        if (payload.Length < fixedPart.Length || payload.Length > MaxSize(fixedPart.Length))
        {
            error = $"{what} of {payload.Length} bytes, expected {fixedPart.Length} to {MaxSize(fixedPart.Length)}";
            return false;
        }
        Span<byte> bytes = stackalloc byte[(int)payload.Length];
        payload.CopyTo(bytes);
        bytes[..fixedPart.Length].CopyTo(fixedPart);
        if (!PayloadText.TryDecode(bytes[fixedPart.Length..], out reason))
        {
            error = $"{what} reason is not UTF-8";
            return false;
        }
        error = "";
        return true;
    }

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> fixedPart, string reason)
    {
        output.Write(fixedPart);
        output.Write(PayloadText.Truncate(reason, ProtocolLimits.MaxCloseReasonBytes));
    }
}
