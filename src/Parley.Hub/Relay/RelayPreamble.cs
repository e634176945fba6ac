using System.Buffers;
using Parley.Core.Hub.Relay;

namespace Parley.Hub;

/// <summary>What the bytes a connection has sent so far say about it.</summary>
internal enum PreambleOutcome
{
    /// <summary>So far a preamble: read more.</summary>
    NeedMoreData,

    /// <summary>A whole preamble and its token.</summary>
    Preamble,

    /// <summary>Not a relay connection.</summary>
    NotAPreamble,
}

/// <summary>
/// How a relay connection starts, before the TLS its two nodes run end to end over the splice:
/// <code>
/// relay preamble: "PRLR" (4) | token (32)
/// </code>
/// A TLS record starts with its content type (20 to 24), never with 'P' (0x50), so the first byte
/// alone tells a relay connection from a link: the hub peeks at that one byte and reads the rest
/// only from a connection that can no longer be TLS.
/// </summary>
internal static class RelayPreamble
{
    public const int Size = 4 + RelayTicket.TokenSize;

    /// <summary>Reads the bytes received so far (never more than <see cref="Size"/> are asked for); on a preamble, <paramref name="token"/> is its token.</summary>
    public static PreambleOutcome Parse(in ReadOnlySequence<byte> received, out ReadOnlySequence<byte> token)
    {
        token = default;
        var reader = new SequenceReader<byte>(received);
        foreach (var expected in RelayTicket.Preamble)
        {
            if (!reader.TryRead(out var actual))
            {
                return PreambleOutcome.NeedMoreData;
            }
            if (actual != expected)
            {
                return PreambleOutcome.NotAPreamble;
            }
        }
        if (reader.Remaining < RelayTicket.TokenSize)
        {
            return PreambleOutcome.NeedMoreData;
        }
        token = received.Slice(reader.Position, RelayTicket.TokenSize);
        return PreambleOutcome.Preamble;
    }
}
