using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.UdpRelay;

/// <summary>
/// A member asks its hub for a UDP relay allocation (a port of the hub's for media). It names the
/// hub address it reached the hub at: the allocation's socket is bound there, so datagrams to and
/// from peers leave from the very address their NATs opened a mapping towards.
/// <code>
/// UdpRelayAllocate: request ID u32 | hub IPv4 (4)
/// </code>
/// </summary>
public sealed record UdpRelayAllocate(uint RequestId, IPAddress HubAddress) : IWireMessage<UdpRelayAllocate>
{
    public const int Size = 8;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out UdpRelayAllocate message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != Size || !reader.TryReadU32(out var id) || !reader.TryReadBytes(4, out var address))
        {
            error = $"a UDP relay allocation request is {Size} bytes";
            return false;
        }
        message = new UdpRelayAllocate(id, new IPAddress(address));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(RequestId);
        output.Write(HubAddress.MapToIPv4().GetAddressBytes());
    }
}
