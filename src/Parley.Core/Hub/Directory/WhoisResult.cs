using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Directory;

/// <summary>A directory entry as the hub serves it: whether its device is online, and when it was last seen.</summary>
public sealed record WhoisEntry(bool Online, DateTimeOffset LastSeen, DirectoryEntry Entry);

/// <summary>
/// The hub's answer to a <see cref="WhoisQuery"/>: at most 16 entries, each still signed by its device
/// (the asker checks the signatures; the hub cannot forge an entry).
/// <code>
/// WhoisResult: query ID u32 | count u8 | per entry: online u8, last seen i64 (Unix ms), entry (see DirectoryEntry)
/// </code>
/// </summary>
public sealed record WhoisResult(uint QueryId, IReadOnlyList<WhoisEntry> Entries) : IWireMessage<WhoisResult>
{
    public const int MaxEntries = 16;

    public static int MaxSize => 5 + MaxEntries * (9 + DirectoryEntry.MaxSize);

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out WhoisResult message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryRead(out var count) || count > MaxEntries)
        {
            error = "no query ID, or too many entries";
            return false;
        }
        var entries = new List<WhoisEntry>(count);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryRead(out var online) || !reader.TryReadUnixMs(out var seen) || !DirectoryEntry.TryRead(ref reader, out var entry, out error))
            {
                error = $"entry {i} is malformed";
                return false;
            }
            entries.Add(new WhoisEntry(online == 1, seen, entry));
        }
        if (reader.Remaining != 0)
        {
            error = "bytes after the last entry";
            return false;
        }
        message = new WhoisResult(id, entries);
        error = "";
        return true;
    }

    /// <summary>Writes the first <see cref="MaxEntries"/> entries; a longer list is cut, as the hub never sends more.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(QueryId);
        output.WriteU8((byte)Math.Min(Entries.Count, MaxEntries));
        foreach (var entry in Entries.Take(MaxEntries))
        {
            output.WriteU8(entry.Online ? (byte)1 : (byte)0);
            output.WriteUnixMs(entry.LastSeen);
            entry.Entry.Write(output);
        }
    }
}
