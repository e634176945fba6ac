using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>
/// One side's half of a TCP simultaneous open, sent over a relayed link (PunchOffer, and PunchAnswer
/// with the offer's nonce): the local port it has bound for the attempt. The other side pairs the port
/// with the address the hub observed for the sender (a MASQUERADE router keeps the port when it is
/// free), and both connect to each other at once, which opens each NAT for the other's SYN.
/// <code>
/// PunchOffer, PunchAnswer: nonce u64 | port u16 (not 0)
/// </code>
/// </summary>
public sealed record PunchOffer(ulong Nonce, ushort Port) : IWireMessage<PunchOffer>
{
    public static int MaxSize => 8 + 2;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out PunchOffer message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != MaxSize || !reader.TryReadU64(out var nonce) || !reader.TryReadU16(out var port) || port == 0)
        {
            error = "a punch offer is a nonce and a port that is not 0 (10 bytes)";
            return false;
        }
        message = new PunchOffer(nonce, port);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU64(Nonce);
        output.WriteU16(Port);
    }
}
