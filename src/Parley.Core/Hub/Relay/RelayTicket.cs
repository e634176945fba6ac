using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Relay;

/// <summary>
/// The hub's grant of a relay, to each side. The node opens a new connection to the hub, sends
/// <see cref="Preamble"/> and the token, and runs TLS with the peer over it: the hub only splices.
/// <code>
/// RelayTicket: request ID u32 (0 for the invited side) | role u8 (0: you asked, dial; 1: you are invited, accept)
///              | peer device ID (32) | token (32)
/// </code>
/// </summary>
public sealed record RelayTicket(uint RequestId, bool Invited, DeviceId Peer, byte[] Token) : IWireMessage<RelayTicket>
{
    public const int TokenSize = 32;
    public const int Size = 4 + 1 + DeviceId.Size + TokenSize;

    /// <summary>What a relay connection starts with, before the token (so the hub's listener tells it from a link).</summary>
    public static ReadOnlySpan<byte> Preamble => "PRLR"u8;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RelayTicket message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != Size || !reader.TryReadU32(out var id) || !reader.TryRead(out var role) || role > 1
            || !reader.TryReadDevice(out var peer) || !reader.TryReadBytes(TokenSize, out var token))
        {
            error = $"a relay ticket is {Size} bytes with role 0 or 1";
            return false;
        }
        message = new RelayTicket(id, role == 1, peer, token);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.WriteU8(Invited ? (byte)1 : (byte)0);
        output.WriteDevice(Peer);
        output.Write(Token);
    }
}
