using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Hub.Directory;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Cluster;

/// <summary>
/// A signed directory entry as a cluster keeps it in its shared directory bucket, with when its device
/// was last online. Hubs read it back as untrusted bytes and check the signature again.
/// <code>
/// ClusterDirectory: last seen i64 (Unix ms) | directory entry (the rest, see <see cref="DirectoryEntry"/>)
/// </code>
/// </summary>
public sealed record ClusterDirectoryRecord(DateTimeOffset LastSeen, DirectoryEntry Entry) : IWireMessage<ClusterDirectoryRecord>
{
    public static int MaxSize => 8 + DirectoryEntry.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ClusterDirectoryRecord message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadUnixMs(out var lastSeen))
        {
            error = "truncated last seen";
            return false;
        }
        if (reader.Remaining > DirectoryEntry.MaxSize || !DirectoryEntry.TryRead(reader.UnreadSequence, out var entry, out error))
        {
            error = "bad directory entry";
            return false;
        }
        message = new ClusterDirectoryRecord(lastSeen, entry);
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteUnixMs(LastSeen);
        Entry.Write(output);
    }
}
