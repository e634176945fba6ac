using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.UdpRelay;

/// <summary>
/// Lets datagrams from and to these peer addresses through the member's allocation. A permission
/// covers an IP address with any port, as TURN's do (RFC 8656 §9): a peer behind a symmetric NAT
/// reaches the relay from a port nobody could name in advance.
/// <code>
/// UdpRelayPermit: allocation ID u32 | count u8 (1 to 8) | IPv4 (4) each
/// </code>
/// </summary>
public sealed record UdpRelayPermit(uint AllocationId, IReadOnlyList<IPAddress> Peers) : IWireMessage<UdpRelayPermit>
{
    public const int MaxPeers = 8;

    public static int MaxSize => 4 + 1 + MaxPeers * 4;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out UdpRelayPermit message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var id) || !reader.TryRead(out var count) || count is 0 or > MaxPeers || reader.Remaining != count * 4)
        {
            error = "a permission names 1 to 8 IPv4 addresses";
            return false;
        }
        var peers = new List<IPAddress>(count);
        for (var i = 0; i < count; i++)
        {
            reader.TryReadBytes(4, out var address);
            peers.Add(new IPAddress(address));
        }
        message = new UdpRelayPermit(id, peers);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var peers = Peers.Take(MaxPeers).ToList();
        output.WriteU32(AllocationId);
        output.WriteU8((byte)peers.Count);
        foreach (var peer in peers)
        {
            output.Write(peer.MapToIPv4().GetAddressBytes());
        }
    }
}
