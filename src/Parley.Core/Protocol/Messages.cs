using System.Buffers;
using System.Buffers.Binary;

namespace Parley.Core.Protocol;

/// <summary>Why a link closed; sent in a Close frame so the other side can show it.</summary>
public enum CloseCode : byte
{
    Normal = 0,
    Shutdown = 1,
    Rejected = 2,
    Blocked = 3,
    ProtocolError = 4,
    TimedOut = 5,
    Duplicate = 6,
}

/// <summary>Close: code u8 | reason (UTF-8, at most 256 bytes).</summary>
public sealed record CloseMessage(CloseCode Code, string Reason)
{
    public byte[] Encode()
    {
        var reason = PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes);
        var buffer = new byte[1 + reason.Length];
        buffer[0] = (byte)Code;
        reason.CopyTo(buffer, 1);
        return buffer;
    }

    public static bool TryDecode(ReadOnlySequence<byte> payload, out CloseMessage? message)
    {
        message = null;
        if (payload.Length < 1 || payload.Length > 1 + ProtocolLimits.MaxCloseReasonBytes)
        {
            return false;
        }
        var bytes = payload.ToArray();
        if (!PayloadText.TryDecode(bytes.AsSpan(1), out var reason))
        {
            return false;
        }
        message = new CloseMessage((CloseCode)bytes[0], reason);
        return true;
    }
}

/// <summary>ChatMessage: message ID (16) | sent at (i64 Unix ms, big endian) | text (UTF-8, at most 64 KiB).</summary>
public sealed record ChatMessage(Guid Id, DateTimeOffset SentAt, string Text)
{
    private const int FixedSize = ProtocolLimits.MessageIdSize + 8;

    public byte[] Encode()
    {
        var textLength = System.Text.Encoding.UTF8.GetByteCount(Text);
        if (textLength > ProtocolLimits.MaxChatTextBytes)
        {
            throw new ArgumentException($"message text is {textLength} bytes; the limit is {ProtocolLimits.MaxChatTextBytes}.");
        }
        var buffer = new byte[FixedSize + textLength];
        Id.TryWriteBytes(buffer);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(16), SentAt.ToUnixTimeMilliseconds());
        System.Text.Encoding.UTF8.GetBytes(Text, buffer.AsSpan(FixedSize));
        return buffer;
    }

    public static bool TryDecode(ReadOnlySequence<byte> payload, out ChatMessage? message, out string error)
    {
        message = null;
        if (payload.Length < FixedSize || payload.Length > FixedSize + ProtocolLimits.MaxChatTextBytes)
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

/// <summary>Small fixed-size payloads: message IDs, ping nonces and consent flags.</summary>
public static class SmallPayloads
{
    public static byte[] EncodeId(Guid id) => id.ToByteArray();

    public static bool TryDecodeId(ReadOnlySequence<byte> payload, out Guid id)
    {
        id = default;
        if (payload.Length != ProtocolLimits.MessageIdSize)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[ProtocolLimits.MessageIdSize];
        payload.CopyTo(bytes);
        id = new Guid(bytes);
        return true;
    }

    public static byte[] EncodeNonce(ulong nonce)
    {
        var buffer = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(buffer, nonce);
        return buffer;
    }

    public static bool TryDecodeNonce(ReadOnlySequence<byte> payload, out ulong nonce)
    {
        nonce = 0;
        if (payload.Length != 8)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[8];
        payload.CopyTo(bytes);
        nonce = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return true;
    }
}
