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

/// <summary>Presence: kind u8 | device ID (32) | last seen i64 (Unix ms) | name length u8 | name.</summary>
public sealed record PresenceNotice(PresenceKind Kind, DeviceId DeviceId, DateTimeOffset LastSeen, string Name)
{
    public const int MaxSize = 1 + DeviceId.Size + 8 + 1 + ProtocolLimits.MaxNameBytes;

    public byte[] Encode()
    {
        var name = PayloadText.Truncate(Name, ProtocolLimits.MaxNameBytes);
        var buffer = new byte[1 + DeviceId.Size + 8 + 1 + name.Length];
        buffer[0] = (byte)Kind;
        DeviceId.Bytes.CopyTo(buffer.AsSpan(1));
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(33), LastSeen.ToUnixTimeMilliseconds());
        buffer[41] = (byte)name.Length;
        name.CopyTo(buffer, 42);
        return buffer;
    }

    public static bool TryDecode(ReadOnlySequence<byte> payload, out PresenceNotice? notice)
    {
        notice = null;
        var bytes = payload.ToArray();
        if (bytes.Length < 42 || bytes[0] > 2 || 42 + bytes[41] != bytes.Length || !PayloadText.TryDecode(bytes.AsSpan(42), out var name))
        {
            return false;
        }
        var millis = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(33));
        if (millis < 0 || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }
        notice = new PresenceNotice((PresenceKind)bytes[0], new DeviceId(bytes.AsSpan(1, DeviceId.Size)), DateTimeOffset.FromUnixTimeMilliseconds(millis), name);
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

    public static byte[] Query(uint id, string text)
    {
        var bytes = PayloadText.Truncate(text, MaxQueryBytes);
        var buffer = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, id);
        bytes.CopyTo(buffer, 4);
        return buffer;
    }

    public static bool TryDecodeQuery(ReadOnlySequence<byte> payload, out uint id, out string text)
    {
        id = 0;
        text = "";
        var bytes = payload.ToArray();
        if (bytes.Length < 5 || !PayloadText.TryDecode(bytes.AsSpan(4), out text))
        {
            return false;
        }
        id = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

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
