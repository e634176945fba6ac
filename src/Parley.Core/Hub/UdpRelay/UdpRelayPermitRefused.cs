using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.UdpRelay;

/// <summary>
/// The hub will not relay to or from this peer address on the allocation (loopback, the hub's own,
/// a private network the hub does not serve...), and says why; the allocation's other permissions stand.
/// <code>
/// UdpRelayPermitRefused: allocation ID u32 | IPv4 (4) | reason (UTF-8)
/// </code>
/// </summary>
public sealed record UdpRelayPermitRefused(uint AllocationId, IPAddress Peer, string Reason) : IWireMessage<UdpRelayPermitRefused>
{
    public static int MaxSize => 4 + 4 + ProtocolLimits.MaxCloseReasonBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out UdpRelayPermitRefused message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryReadBytes(4, out var address) || !reader.TryReadRestText(ProtocolLimits.MaxCloseReasonBytes, out var reason))
        {
            error = "an allocation ID, an IPv4 address and a UTF-8 reason";
            return false;
        }
        message = new UdpRelayPermitRefused(id, new IPAddress(address), reason);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU32(AllocationId);
        output.Write(Peer.MapToIPv4().GetAddressBytes());
        output.Write(PayloadText.Truncate(Reason, ProtocolLimits.MaxCloseReasonBytes));
    }
}
