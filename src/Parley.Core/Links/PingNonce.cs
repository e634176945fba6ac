using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>Ping and Pong: nonce u64 (big endian); a pong echoes its ping's nonce.</summary>
public readonly record struct PingNonce(ulong Value) : IWireMessage<PingNonce>
{
    public static int MaxSize => 8;

    public void Write(IBufferWriter<byte> output)
    {
        BinaryPrimitives.WriteUInt64BigEndian(output.GetSpan(8), Value);
        output.Advance(8);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out PingNonce message, out string error)
    {
        message = default;
        if (payload.Length != 8)
        {
            error = "ping must carry 8 bytes";
            return false;
        }
        Span<byte> bytes = stackalloc byte[8];
        payload.CopyTo(bytes);
        message = new PingNonce(BinaryPrimitives.ReadUInt64BigEndian(bytes));
        error = "";
        return true;
    }
}
