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

    public static int MaxSize => ReasonPayload.MaxSize(FixedSize);

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out CallEnd message, out string error)
    {
        Span<byte> id = stackalloc byte[FixedSize];
        message = ReasonPayload.TryRead(payload, id, "call end", out var reason, out error) ? new CallEnd(BinaryPrimitives.ReadUInt32BigEndian(id), reason) : null;
        return message is not null;
    }

    public void Write(IBufferWriter<byte> output)
    {
        Span<byte> id = stackalloc byte[FixedSize];
        BinaryPrimitives.WriteUInt32BigEndian(id, CallId);
        ReasonPayload.Write(output, id, Reason);
    }
}
