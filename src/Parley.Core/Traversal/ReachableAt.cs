using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Protocol;

namespace Parley.Core.Traversal;

/// <summary>
/// A node tells its hub where its router forwards the node's peer port (a NAT-PMP, PCP or UPnP
/// mapping), so the hub gives others that address to dial instead of the observed address with the
/// listening port, which a NAT drops. The hub takes it only when the address is the one it sees the
/// node's link come from: a node cannot point others at a third party.
/// <code>
/// ReachableAt: IPv4 (4) | port u16 (not 0)
/// </code>
/// </summary>
public sealed record ReachableAt(IPEndPoint EndPoint) : IWireMessage<ReachableAt>
{
    public static int MaxSize => 6;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ReachableAt message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != 6 || !reader.TryReadBytes(4, out var address) || !reader.TryReadU16(out var port) || port == 0)
        {
            error = "not an IPv4 address and a port";
            return false;
        }
        message = new ReachableAt(new IPEndPoint(new IPAddress(address), port));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var address = EndPoint.Address.IsIPv4MappedToIPv6 ? EndPoint.Address.MapToIPv4() : EndPoint.Address;
        output.Write(address.GetAddressBytes().AsSpan(0, 4));
        output.WriteU16((ushort)EndPoint.Port);
    }
}
