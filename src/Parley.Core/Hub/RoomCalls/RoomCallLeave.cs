using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>
/// A participant leaves a room's call (closing its hub link does the same).
/// <code>
/// RoomCallLeave: call ID u32
/// </code>
/// </summary>
public sealed record RoomCallLeave(uint CallId) : IWireMessage<RoomCallLeave>
{
    public static int MaxSize => 4;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomCallLeave message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != 4 || !reader.TryReadU32(out var call))
        {
            error = "a room call leave is a call ID";
            return false;
        }
        message = new RoomCallLeave(call);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output) => output.WriteU32(CallId);
}
