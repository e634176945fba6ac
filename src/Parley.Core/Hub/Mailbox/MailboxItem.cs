using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Mailbox;

/// <summary>
/// A sealed message the hub held for us; it is deleted when we send a <see cref="MailboxAck"/> with its ID.
/// <code>
/// MailboxItem: item ID u64 | sealed item (at least one byte)
/// </code>
/// </summary>
public sealed record MailboxItem(long ItemId, byte[] Item) : IWireMessage<MailboxItem>
{
    public static int MaxSize => 8 + MailboxSeal.MaxItemSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out MailboxItem message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadBigEndian(out long id) || reader.Remaining == 0)
        {
            error = "no item ID, or an empty item";
            return false;
        }
        message = new MailboxItem(id, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU64((ulong)ItemId);
        output.Write(Item);
    }
}
