using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Hub.Presence;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Cluster;

/// <summary>
/// A member online on one hub of a cluster, as that hub keeps it in the shared presence bucket (keyed
/// by the member's device ID, refreshed while it stays). The other hubs read it back as untrusted bytes.
/// <code>
/// ClusterPresence: hub instance u64 | presence notice (the rest, see <see cref="PresenceNotice"/>)
/// </code>
/// </summary>
public sealed record ClusterPresenceRecord(ulong HubInstance, PresenceNotice Notice) : IWireMessage<ClusterPresenceRecord>
{
    public static int MaxSize => 8 + PresenceNotice.MaxSize;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ClusterPresenceRecord message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU64(out var instance))
        {
            error = "truncated hub instance";
            return false;
        }
        if (reader.Remaining > PresenceNotice.MaxSize || !PresenceNotice.TryRead(reader.UnreadSequence, out var notice, out error))
        {
            error = "bad presence notice";
            return false;
        }
        message = new ClusterPresenceRecord(instance, notice);
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU64(HubInstance);
        Notice.Write(output);
    }
}
