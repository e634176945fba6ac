using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.UdpRelay;

/// <summary>
/// The hub's grant of a UDP relay allocation: where peers send to reach the member
/// (<see cref="Relayed"/>), the secret token every datagram the member sends to it starts with, and
/// how long it lives without a datagram from the member (each one refreshes it).
/// <code>
/// UdpRelayAllocated: request ID u32 | allocation ID u32 | relayed IPv4 (4) | port u16 | token (16) | lifetime s u16
/// </code>
/// </summary>
public sealed record UdpRelayAllocated(uint RequestId, uint AllocationId, IPEndPoint Relayed, byte[] Token, TimeSpan Lifetime)
    : IWireMessage<UdpRelayAllocated>
{
    public const int TokenSize = 16;
    public const int Size = 4 + 4 + 4 + 2 + TokenSize + 2;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out UdpRelayAllocated message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != Size || !reader.TryReadU32(out var id) || !reader.TryReadU32(out var allocation) || !reader.TryReadBytes(4, out var address)
            || !reader.TryReadU16(out var port) || !reader.TryReadBytes(TokenSize, out var token) || !reader.TryReadU16(out var seconds)
            || port == 0 || seconds == 0)
        {
            error = $"a UDP relay allocation is {Size} bytes, with a port and a lifetime";
            return false;
        }
        message = new UdpRelayAllocated(id, allocation, new IPEndPoint(new IPAddress(address), port), token, TimeSpan.FromSeconds(seconds));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.WriteU32(AllocationId);
        output.Write(Relayed.Address.MapToIPv4().GetAddressBytes());
        output.WriteU16((ushort)Relayed.Port);
        output.Write(Token);
        output.WriteU16((ushort)Math.Clamp(Lifetime.TotalSeconds, 1, ushort.MaxValue));
    }
}
