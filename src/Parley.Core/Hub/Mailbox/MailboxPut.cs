using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Mailbox;

/// <summary>
/// A sealed message left at the hub for a member who is offline (see <see cref="MailboxSeal"/>: the hub cannot read it).
/// <code>
/// MailboxPut: put ID u32 | recipient device ID (32) | sealed item (at least one byte)
/// </code>
/// </summary>
public sealed record MailboxPut(uint PutId, DeviceId Recipient, byte[] Item) : IWireMessage<MailboxPut>
{
    public static int MaxSize => 4 + DeviceId.Size + MailboxSeal.MaxItemSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out MailboxPut message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadDevice(out var recipient) || reader.Remaining is 0 or > MailboxSeal.MaxItemSize)
        {
            error = "no recipient, or an item that is empty or too large";
            return false;
        }
        message = new MailboxPut(id, recipient, reader.ReadRest());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(PutId);
        output.WriteDevice(Recipient);
        output.Write(Item);
    }
}
