using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Chat;

/// <summary>ChatAck: the ID (16) of a message the receiver has stored.</summary>
public readonly record struct ChatAck(Guid Id) : IWireMessage<ChatAck>
{
    public static int MaxSize => ProtocolLimits.MessageIdSize;

    public void Write(IBufferWriter<byte> output)
    {
        Id.TryWriteBytes(output.GetSpan(16));
        output.Advance(16);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ChatAck message, out string error)
    {
        message = default;
        if (payload.Length != ProtocolLimits.MessageIdSize)
        {
            error = $"chat ack of {payload.Length} bytes; expected 16";
            return false;
        }
        Span<byte> bytes = stackalloc byte[ProtocolLimits.MessageIdSize];
        payload.CopyTo(bytes);
        message = new ChatAck(new Guid(bytes));
        error = "";
        return true;
    }
}
