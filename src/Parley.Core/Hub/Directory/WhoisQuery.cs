using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Directory;

/// <summary>
/// A lookup in the hub's directory by name or device ID.
/// <code>
/// WhoisQuery: query ID u32 | text (UTF-8, 1 to 128 bytes)
/// </code>
/// </summary>
public sealed record WhoisQuery(uint QueryId, string Text) : IWireMessage<WhoisQuery>
{
    public const int MaxTextBytes = 128;

    public static int MaxSize => 4 + MaxTextBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out WhoisQuery message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || reader.Remaining == 0 || !reader.TryReadRestText(MaxTextBytes, out var text))
        {
            error = "no query ID, no text, or text that is not UTF-8";
            return false;
        }
        message = new WhoisQuery(id, text);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(QueryId);
        output.Write(PayloadText.Truncate(Text, MaxTextBytes));
    }
}
