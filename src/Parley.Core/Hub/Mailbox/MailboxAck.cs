using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Mailbox;

/// <summary>
/// A held message was dealt with: the hub may delete it.
/// <code>
/// MailboxAck: item ID u64
/// </code>
/// </summary>
public readonly record struct MailboxAck(long ItemId) : IWireMessage<MailboxAck>
{
    public static int MaxSize => 8;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out MailboxAck message, out string error)
    {
        message = default;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != 8 || !reader.TryReadBigEndian(out long id))
        {
            error = $"a mailbox ack is 8 bytes, not {payload.Length}";
            return false;
        }
        message = new MailboxAck(id);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output) => output.WriteU64((ulong)ItemId);
}
