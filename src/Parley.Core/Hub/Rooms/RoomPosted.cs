using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// The hub's answer to a posted <see cref="RoomMessage"/>: its place in the room's log, sent only once
/// the entry is on the hub's disk (so what was acknowledged survives a hub restart), or why it was refused.
/// <code>
/// RoomPosted: post ID u32 | seq u64 (0 when refused) | reason length u8 | reason
/// </code>
/// </summary>
public sealed record RoomPosted(uint PostId, ulong Seq, string? Error) : IWireMessage<RoomPosted>
{
    public static int MaxSize => 4 + 8 + 1 + byte.MaxValue;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomPosted message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadU64(out var seq) || !reader.TryReadText8(byte.MaxValue, out var reason)
            || reader.Remaining != 0 || (seq == 0) == (reason.Length == 0))
        {
            error = "truncated, or neither (or both) a place and a reason";
            return false;
        }
        message = new RoomPosted(id, seq, seq == 0 ? reason : null);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(PostId);
        output.WriteU64(Error is null ? Seq : 0);
        output.WriteText8(Error ?? "", byte.MaxValue);
    }
}
