using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>
/// A participant's frame key (<see cref="RoomCallFrameKey"/>) sealed to one other participant's
/// agreement key (<see cref="Mailbox.MailboxSeal"/>, purpose RoomCallKey): to the hub it names the
/// recipient, from the hub the sender (the hub puts in who really sent it). The hub cannot open it.
/// <code>
/// RoomCallKey: call ID u32 | participant ID u16 (to the hub: the recipient; from it: the sender) | sealed length u16 | sealed item
/// </code>
/// </summary>
public sealed record RoomCallKey(uint CallId, ushort Participant, byte[] Sealed) : IWireMessage<RoomCallKey>
{
    /// <summary>A sealed 41-byte key: two SPKI keys, nonce, tag, signature and the key. 1,024 bytes is ample.</summary>
    public const int MaxSealedBytes = 1024;

    public static int MaxSize => 4 + 2 + 2 + MaxSealedBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomCallKey message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var call) || !reader.TryReadU16(out var participant) || !reader.TryReadBlob16(MaxSealedBytes, out var item)
            || reader.Remaining != 0 || item.Length == 0)
        {
            error = $"a room call key is a call, a participant and a sealed item of at most {MaxSealedBytes} bytes";
            return false;
        }
        message = new RoomCallKey(call, participant, item);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(CallId);
        output.WriteU16(Participant);
        output.WriteBlob16(Sealed);
    }
}
