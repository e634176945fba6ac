using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub;

public enum PresenceKind : byte
{
    /// <summary>Already online when we joined (the snapshot a hub sends first).</summary>
    Here = 0,
    Joined = 1,
    Left = 2,
}

/// <summary>
/// Presence: kind u8 | device ID (32) | last seen i64 (Unix ms) | name length u8 | name
/// | address length u8 | address (UTF-8 "ip:port" as the hub sees the member, its listening port; may be empty).
/// </summary>
public sealed record PresenceNotice(PresenceKind Kind, DeviceId DeviceId, DateTimeOffset LastSeen, string Name, string Address = "")
{
    public const int MaxAddressBytes = 64;
    public const int MaxSize = 1 + DeviceId.Size + 8 + 1 + ProtocolLimits.MaxNameBytes + 1 + MaxAddressBytes;

    public byte[] Encode()
    {
        var name = PayloadText.Truncate(Name, ProtocolLimits.MaxNameBytes);
        var address = PayloadText.Truncate(Address, MaxAddressBytes);
        var buffer = new byte[1 + DeviceId.Size + 8 + 1 + name.Length + 1 + address.Length];
        buffer[0] = (byte)Kind;
        DeviceId.Bytes.CopyTo(buffer.AsSpan(1));
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(33), LastSeen.ToUnixTimeMilliseconds());
        buffer[41] = (byte)name.Length;
        name.CopyTo(buffer, 42);
        buffer[42 + name.Length] = (byte)address.Length;
        address.CopyTo(buffer, 43 + name.Length);
        return buffer;
    }

    public static bool TryDecode(ReadOnlySequence<byte> payload, out PresenceNotice? notice)
    {
        notice = null;
        var bytes = payload.ToArray();
        if (bytes.Length < 43 || bytes[0] > 2 || 43 + bytes[41] > bytes.Length)
        {
            return false;
        }
        var nameEnd = 42 + bytes[41];
        if (nameEnd + 1 + bytes[nameEnd] != bytes.Length || !PayloadText.TryDecode(bytes.AsSpan(42, bytes[41]), out var name)
            || !PayloadText.TryDecode(bytes.AsSpan(nameEnd + 1), out var address))
        {
            return false;
        }
        var millis = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(33));
        if (millis < 0 || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }
        notice = new PresenceNotice((PresenceKind)bytes[0], new DeviceId(bytes.AsSpan(1, DeviceId.Size)), DateTimeOffset.FromUnixTimeMilliseconds(millis), name, address);
        return true;
    }
}

/// <summary>A directory entry as the hub serves it: whether its device is online, and when it was last seen.</summary>
public sealed record WhoisEntry(bool Online, DateTimeOffset LastSeen, DirectoryEntry Entry);

/// <summary>WhoisQuery: query ID u32 | text (a name or device ID). WhoisResult: query ID u32 | count u8 | per entry: online u8, last seen i64, entry.</summary>
public static class HubMessages
{
    public const int MaxQueryBytes = 128;
    public const int MaxWhoisResults = 16;

    public static byte[] Query(uint id, string text) => IdText.Encode(id, text, MaxQueryBytes);

    public static bool TryDecodeQuery(ReadOnlySequence<byte> payload, out uint id, out string text) =>
        IdText.TryDecode(payload, minTextBytes: 1, out id, out text);

    public static byte[] Result(uint id, IReadOnlyList<WhoisEntry> entries)
    {
        var writer = new ArrayBufferWriter<byte>();
        var head = writer.GetSpan(5);
        BinaryPrimitives.WriteUInt32BigEndian(head, id);
        head[4] = (byte)Math.Min(entries.Count, MaxWhoisResults);
        writer.Advance(5);
        foreach (var entry in entries.Take(MaxWhoisResults))
        {
            var span = writer.GetSpan(9);
            span[0] = entry.Online ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt64BigEndian(span[1..], entry.LastSeen.ToUnixTimeMilliseconds());
            writer.Advance(9);
            writer.Write(entry.Entry.Encode());
        }
        return writer.WrittenSpan.ToArray();
    }

    public static bool TryDecodeResult(ReadOnlySequence<byte> payload, out uint id, out List<WhoisEntry> entries)
    {
        entries = [];
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadBigEndian(out int rawId) || !reader.TryRead(out var count) || count > MaxWhoisResults)
        {
            id = 0;
            return false;
        }
        id = (uint)rawId;
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryRead(out var online) || !reader.TryReadBigEndian(out long seen) || seen < 0
                || seen > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() || !DirectoryEntry.TryDecode(ref reader, out var entry))
            {
                return false;
            }
            entries.Add(new WhoisEntry(online == 1, DateTimeOffset.FromUnixTimeMilliseconds(seen), entry!));
        }
        return reader.Remaining == 0;
    }
}

/// <summary>
/// RelayTicket (hub → node): request ID u32 (0 for the invited side) | role u8 (0: you asked, dial;
/// 1: you are invited, accept) | peer device ID (32) | token (32). The node opens a new connection
/// to the hub, sends "PRLR" and the token, and runs TLS with the peer over it: the hub only splices.
/// </summary>
public sealed record RelayTicket(uint RequestId, bool Invited, DeviceId Peer, byte[] Token)
{
    public const int TokenSize = 32;
    public const int Size = 4 + 1 + DeviceId.Size + TokenSize;
    public static ReadOnlySpan<byte> Preamble => "PRLR"u8;

    public byte[] Encode()
    {
        var buffer = new byte[Size];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, RequestId);
        buffer[4] = Invited ? (byte)1 : (byte)0;
        Peer.Bytes.CopyTo(buffer.AsSpan(5));
        Token.CopyTo(buffer, 5 + DeviceId.Size);
        return buffer;
    }

    public static bool TryDecode(ReadOnlySequence<byte> payload, out RelayTicket? ticket)
    {
        ticket = null;
        if (payload.Length != Size)
        {
            return false;
        }
        var bytes = payload.ToArray();
        if (bytes[4] > 1)
        {
            return false;
        }
        ticket = new RelayTicket(BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4] == 1, new DeviceId(bytes.AsSpan(5, DeviceId.Size)), bytes[(5 + DeviceId.Size)..]);
        return true;
    }
}

/// <summary>RelayRequest: peer device ID (32) | request ID u32. RelayRefused: request ID u32 | reason.</summary>
public static class RelayMessages
{
    public static byte[] Request(DeviceId peer, uint requestId)
    {
        var buffer = new byte[DeviceId.Size + 4];
        peer.Bytes.CopyTo(buffer);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(DeviceId.Size), requestId);
        return buffer;
    }

    public static bool TryDecodeRequest(ReadOnlySequence<byte> payload, out DeviceId peer, out uint requestId)
    {
        peer = default;
        requestId = 0;
        if (payload.Length != DeviceId.Size + 4)
        {
            return false;
        }
        var bytes = payload.ToArray();
        peer = new DeviceId(bytes.AsSpan(0, DeviceId.Size));
        requestId = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(DeviceId.Size));
        return true;
    }

    public static byte[] Refused(uint requestId, string reason) => IdText.Encode(requestId, reason, ProtocolLimits.MaxCloseReasonBytes);

    public static bool TryDecodeRefused(ReadOnlySequence<byte> payload, out uint requestId, out string reason) =>
        IdText.TryDecode(payload, minTextBytes: 0, out requestId, out reason);
}

/// <summary>
/// MailboxPut: put ID u32 | recipient device ID (32) | sealed item. MailboxResult: put ID u32 |
/// stored u8 | reason. MailboxItem: item ID u64 | sealed item. MailboxAck: item ID u64.
/// </summary>
public static class MailboxMessages
{
    public static byte[] Put(uint putId, DeviceId recipient, byte[] item) =>
        [.. U32(putId), .. recipient.Bytes, .. item];

    public static bool TryDecodePut(ReadOnlySequence<byte> payload, out uint putId, out DeviceId recipient, out byte[] item)
    {
        putId = 0;
        recipient = default;
        item = [];
        if (payload.Length <= 4 + DeviceId.Size)
        {
            return false;
        }
        var bytes = payload.ToArray();
        putId = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        recipient = new DeviceId(bytes.AsSpan(4, DeviceId.Size));
        item = bytes[(4 + DeviceId.Size)..];
        return true;
    }

    public static byte[] Result(uint putId, bool stored, string reason) =>
        [.. U32(putId), stored ? (byte)1 : (byte)0, .. PayloadText.Truncate(reason, ProtocolLimits.MaxCloseReasonBytes)];

    public static bool TryDecodeResult(ReadOnlySequence<byte> payload, out uint putId, out bool stored, out string reason)
    {
        putId = 0;
        stored = false;
        reason = "";
        var bytes = payload.ToArray();
        if (bytes.Length < 5 || bytes[4] > 1 || !PayloadText.TryDecode(bytes.AsSpan(5), out reason))
        {
            return false;
        }
        putId = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        stored = bytes[4] == 1;
        return true;
    }

    public static byte[] Item(long itemId, byte[] item) => [.. U64(itemId), .. item];

    public static bool TryDecodeItem(ReadOnlySequence<byte> payload, out long itemId, out byte[] item)
    {
        itemId = 0;
        item = [];
        if (payload.Length <= 8)
        {
            return false;
        }
        var bytes = payload.ToArray();
        itemId = BinaryPrimitives.ReadInt64BigEndian(bytes);
        item = bytes[8..];
        return true;
    }

    public static byte[] Ack(long itemId) => U64(itemId);

    public static bool TryDecodeAck(ReadOnlySequence<byte> payload, out long itemId)
    {
        itemId = 0;
        if (payload.Length != 8)
        {
            return false;
        }
        itemId = BinaryPrimitives.ReadInt64BigEndian(payload.ToArray());
        return true;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] U64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}

/// <summary>The "request ID u32, then UTF-8 text" layout several hub frames share.</summary>
internal static class IdText
{
    public static byte[] Encode(uint id, string text, int maxTextBytes)
    {
        var bytes = PayloadText.Truncate(text, maxTextBytes);
        var buffer = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, id);
        bytes.CopyTo(buffer, 4);
        return buffer;
    }

    public static bool TryDecode(ReadOnlySequence<byte> payload, int minTextBytes, out uint id, out string text)
    {
        id = 0;
        text = "";
        var bytes = payload.ToArray();
        if (bytes.Length < 4 + minTextBytes || !PayloadText.TryDecode(bytes.AsSpan(4), out text))
        {
            return false;
        }
        id = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }
}
