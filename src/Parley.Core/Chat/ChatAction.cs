using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Parley.Core.Protocol;

namespace Parley.Core.Chat;

/// <summary>What a <see cref="ChatAction"/> does to the message it names.</summary>
public enum ChatActionKind : byte
{
    /// <summary>A new message quoting the target; the text is the reply.</summary>
    Reply = 1,

    /// <summary>The target's sender replaces its text.</summary>
    Edit = 2,

    /// <summary>The target's sender deletes it for everyone; no text.</summary>
    Delete = 3,

    /// <summary>The sender adds the emoji in the text to the target.</summary>
    React = 4,

    /// <summary>The sender takes its emoji back.</summary>
    Unreact = 5,
}

/// <summary>
/// ChatAction: action ID (16) | sent at (i64 Unix ms, big endian) | kind u8 | target message ID (16) | text (UTF-8).
/// Reply and edit carry 1 byte to 64 KiB of text, delete none, react and unreact an emoji of 1 to
/// <see cref="MaxEmojiBytes"/> bytes. Acknowledged by a <see cref="ChatAck"/> of the action ID, and
/// also the plaintext of a mailbox item sealed for <c>SealPurpose.MailAction</c>.
/// </summary>
public sealed record ChatAction(Guid Id, DateTimeOffset SentAt, ChatActionKind Kind, Guid Target, string Text) : IWireMessage<ChatAction>
{
    /// <summary>Largest reaction in UTF-8 bytes: an emoji with modifiers fits; a sentence does not.</summary>
    public const int MaxEmojiBytes = 32;
    private const int FixedSize = ProtocolLimits.MessageIdSize + 8 + 1 + ProtocolLimits.MessageIdSize;

    public static int MaxSize => FixedSize + ChatMessage.MaxTextBytes;

    /// <summary>Writes the action; text that does not suit its kind is a caller's bug (the service checks first).</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var textBytes = Encoding.UTF8.GetByteCount(Text);
        if (!TextFits(Kind, textBytes))
        {
            throw new ArgumentException($"a {Kind} action cannot carry {textBytes} bytes of text.");
        }
        var size = FixedSize + textBytes;
        var span = output.GetSpan(size);
        Id.TryWriteBytes(span);
        BinaryPrimitives.WriteInt64BigEndian(span[16..], SentAt.ToUnixTimeMilliseconds());
        span[24] = (byte)Kind;
        Target.TryWriteBytes(span[25..]);
        Encoding.UTF8.GetBytes(Text, span[FixedSize..]);
        output.Advance(size);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ChatAction message, out string error)
    {
        message = null;
        if (payload.Length < FixedSize || payload.Length > MaxSize)
        {
            error = $"chat action of {payload.Length} bytes is out of range";
            return false;
        }
        var bytes = payload.ToArray();
        var millis = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(16));
        if (millis < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            error = "chat action time is out of range";
            return false;
        }
        var kind = (ChatActionKind)bytes[24];
        if (!Enum.IsDefined(kind) || !TextFits(kind, bytes.Length - FixedSize))
        {
            error = $"chat action of kind {bytes[24]} with {bytes.Length - FixedSize} bytes of text";
            return false;
        }
        if (!PayloadText.TryDecode(bytes.AsSpan(FixedSize), out var text))
        {
            error = "chat action text is not valid UTF-8";
            return false;
        }
        message = new ChatAction(new Guid(bytes.AsSpan(0, 16)), DateTimeOffset.FromUnixTimeMilliseconds(millis), kind, new Guid(bytes.AsSpan(25, 16)), text);
        error = "";
        return true;
    }

    private static bool TextFits(ChatActionKind kind, int textBytes) => kind switch
    {
        ChatActionKind.Reply or ChatActionKind.Edit => textBytes is > 0 and <= ChatMessage.MaxTextBytes,
        ChatActionKind.Delete => textBytes == 0,
        ChatActionKind.React or ChatActionKind.Unreact => textBytes is > 0 and <= MaxEmojiBytes,
        _ => false,
    };
}
