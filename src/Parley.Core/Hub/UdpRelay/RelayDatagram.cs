using System.Buffers.Binary;
using System.Net;

namespace Parley.Core.Hub.UdpRelay;

/// <summary>
/// The datagrams between a member and its hub's UDP relay allocation. The member's own start with
/// the allocation's token (so nobody else can use it) and name the peer; the relay's to the member
/// name the peer it came from. The payload (an end-to-end sealed media packet) is carried unchanged.
/// A member's datagram with no peer (0.0.0.0:0) and no payload only refreshes the allocation and
/// shows the hub where the member is.
/// <code>
/// member → relay: token (16) | peer IPv4 (4) | peer port u16 | payload
/// relay → member: peer IPv4 (4) | peer port u16 | payload
/// </code>
/// </summary>
public static class RelayDatagram
{
    public const int FromMemberHeader = UdpRelayAllocated.TokenSize + 6;
    public const int ToMemberHeader = 6;

    /// <summary>The largest payload carried (a sealed media packet is at most 1,200 bytes).</summary>
    public const int MaxPayload = 1400;

    /// <summary>Splits a member's datagram; false when it is too short or too long (its token is checked by the caller).</summary>
    public static bool TryReadFromMember(ReadOnlySpan<byte> datagram, out ReadOnlySpan<byte> token, out IPEndPoint peer, out ReadOnlySpan<byte> payload)
    {
        token = payload = default;
        peer = null!;
        if (datagram.Length < FromMemberHeader || datagram.Length > FromMemberHeader + MaxPayload)
        {
            return false;
        }
        token = datagram[..UdpRelayAllocated.TokenSize];
        peer = ReadPeer(datagram[UdpRelayAllocated.TokenSize..]);
        payload = datagram[FromMemberHeader..];
        return true;
    }

    /// <summary>Writes a member's datagram into <paramref name="buffer"/>; returns its length.</summary>
    public static int WriteFromMember(Span<byte> buffer, ReadOnlySpan<byte> token, IPEndPoint peer, ReadOnlySpan<byte> payload)
    {
        token.CopyTo(buffer);
        WritePeer(buffer[UdpRelayAllocated.TokenSize..], peer);
        payload.CopyTo(buffer[FromMemberHeader..]);
        return FromMemberHeader + payload.Length;
    }

    /// <summary>Splits the relay's datagram to the member; false when it is too short or too long.</summary>
    public static bool TryReadToMember(ReadOnlySpan<byte> datagram, out IPEndPoint peer, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        peer = null!;
        if (datagram.Length < ToMemberHeader || datagram.Length > ToMemberHeader + MaxPayload)
        {
            return false;
        }
        peer = ReadPeer(datagram);
        payload = datagram[ToMemberHeader..];
        return true;
    }

    /// <summary>Writes the relay's datagram to the member; returns its length.</summary>
    public static int WriteToMember(Span<byte> buffer, IPEndPoint peer, ReadOnlySpan<byte> payload)
    {
        WritePeer(buffer, peer);
        payload.CopyTo(buffer[ToMemberHeader..]);
        return ToMemberHeader + payload.Length;
    }

    private static IPEndPoint ReadPeer(ReadOnlySpan<byte> at) => new(new IPAddress(at[..4]), BinaryPrimitives.ReadUInt16BigEndian(at[4..]));

    private static void WritePeer(Span<byte> at, IPEndPoint peer)
    {
        peer.Address.MapToIPv4().TryWriteBytes(at[..4], out _);
        BinaryPrimitives.WriteUInt16BigEndian(at[4..], (ushort)peer.Port);
    }
}
