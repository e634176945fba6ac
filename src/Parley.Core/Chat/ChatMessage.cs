using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Parley.Core.Protocol;

namespace Parley.Core.Chat;

/// <summary>
/// ChatMessage: message ID (16) | sent at (i64 Unix ms, big endian) | text (UTF-8, at most 64 KiB).
/// Also the plaintext of a sealed mailbox item and of a room message.
/// </summary>
public sealed record ChatMessage(Guid Id, DateTimeOffset SentAt, string Text) : IWireMessage<ChatMessage>
{
    /// <summary>Largest chat text in UTF-8 bytes: 64 KiB.</summary>
    public const int MaxTextBytes = 64 * 1024;
    private const int FixedSize = ProtocolLimits.MessageIdSize + 8;

    public static int MaxSize => FixedSize + MaxTextBytes;

    /// <summary>Writes the message; text over <see cref="MaxTextBytes"/> is a caller's bug (services check it, with a friendlier error, before storing).</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var textBytes = Encoding.UTF8.GetByteCount(Text);
        if (textBytes > MaxTextBytes)
        {
            throw new ArgumentException($"message text is {textBytes} bytes; the limit is {MaxTextBytes}.");
        }
        var size = FixedSize + textBytes;
        var span = output.GetSpan(size);
        Id.TryWriteBytes(span);
        BinaryPrimitives.WriteInt64BigEndian(span[16..], SentAt.ToUnixTimeMilliseconds());
        Encoding.UTF8.GetBytes(Text, span[FixedSize..]);
        output.Advance(size);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ChatMessage message, out string error)
    {
        message = null;
        if (payload.Length < FixedSize || payload.Length > MaxSize)
        {
            error = $"chat message of {payload.Length} bytes is out of range";
            return false;
        }
        var bytes = payload.ToArray();
        var millis = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(16));
        if (millis < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            error = "chat message time is out of range";
            return false;
        }
        if (!PayloadText.TryDecode(bytes.AsSpan(FixedSize), out var text))
        {
            error = "chat message text is not valid UTF-8";
            return false;
        }
        message = new ChatMessage(new Guid(bytes.AsSpan(0, 16)), DateTimeOffset.FromUnixTimeMilliseconds(millis), text);
        error = "";
        return true;
    }
}
