using System.Buffers.Binary;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>What a hop packet is.</summary>
public enum RoomCallHopKind : byte
{
    /// <summary>A part of an encoded frame (its body end-to-end encrypted: <see cref="RoomCallFrameCipher"/>).</summary>
    Media = 1,

    /// <summary>A receiver asks for packets of a source's stream again (body: u16 sequences).</summary>
    Nack = 2,

    /// <summary>A receiver asks a source's stream for a keyframe (the hub asks the sender once for all).</summary>
    KeyframeRequest = 3,

    /// <summary>A participant shows the hub where it is over UDP (and keeps its NAT open): no body.</summary>
    Bind = 4,

    /// <summary>
    /// A receiver tells the hub how many hop packets from it authenticated since joining (body: u32, wrapping),
    /// every <see cref="RoomCallHop.ReportInterval"/>; the hub sets it against what it sent to pick the layers it forwards.
    /// </summary>
    Report = 5,
}

/// <summary>Media flags the hub routes by (it never reads the frame).</summary>
[Flags]
public enum RoomCallHopFlags : byte
{
    None = 0,
    Keyframe = 1,

    /// <summary>The last packet of a frame.</summary>
    EndOfFrame = 0x80,
}

/// <summary>
/// The clear routing header of a hop packet. <see cref="Hop"/> is the participant whose hop key
/// authenticates the packet: the sender's towards the hub, the receiver's from it.
/// </summary>
public readonly record struct RoomCallHopHeader(RoomCallHopKind Kind, RoomCallHopFlags Flags, uint CallId, ushort Hop, ushort Source,
    byte Stream, byte Level, ushort Sequence, uint Counter)
{
    /// <summary>The temporal layer (0-3) of a video packet, in flag bits 1-2.</summary>
    public int Layer => ((byte)Flags >> 1) & 3;
}

/// <summary>
/// One packet between a participant and the hub's forwarding unit: a UDP datagram on the hub's port, or
/// the payload of a <see cref="RoomCallPacket"/> frame over the TLS link. The hub reads the header and
/// checks the tag; the body it passes on unread. The tag is AES-256-GCM under the hop key with nothing
/// encrypted and header plus body as associated data (GMAC): the payload is already end-to-end encrypted,
/// so the hop only needs to prove who sent it and that it was not replayed (the counter is the nonce and
/// runs through a replay window).
/// <code>
///  0 kind u8 | 1 flags u8 | 2 call ID u32 | 6 hop participant u16 | 8 source participant u16 | 10 stream u8
/// 11 audio level u8 (dBov, 127 = silence) | 12 sequence u16 | 14 hop counter u32 | 18 body | tag (16)
/// nonce: direction u8 (0 towards the hub, 1 from it) | 7 zero bytes | hop counter u32
/// </code>
/// </summary>
public static class RoomCallHop
{
    public const int HeaderSize = 18;
    public const int TagSize = 16;
    public const int KeySize = 32;

    /// <summary>Largest body: a frame part of 1,200 bytes with its end-to-end header and tag, and room to spare. 1,300.</summary>
    public const int MaxBodySize = 1300;

    public const int MaxSize = HeaderSize + MaxBodySize + TagSize;

    /// <summary>Most sequences one NACK names. 64.</summary>
    public const int MaxNacked = 64;

    /// <summary>Streams a participant may send: 0 audio, 1 video.</summary>
    public const byte AudioStream = 0;

    public const byte VideoStream = 1;

    /// <summary>Temporal layers a video packet may name (flag bits 1-2): 0 the base, 3 the highest. A receiver gets all until its reports say otherwise.</summary>
    public const int TopLayer = 3;

    /// <summary>A report's body: u32 hop packets received. 4 bytes.</summary>
    public const int ReportSize = 4;

    /// <summary>How often a receiver reports. 500 ms.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The flag bits for a temporal layer (0-3).</summary>
    public static RoomCallHopFlags LayerFlags(int layer) => (RoomCallHopFlags)((layer & 3) << 1);

    /// <summary>The temporal layer of a whole hop packet (its flags byte).</summary>
    public static int Layer(ReadOnlySpan<byte> packet) => (packet[1] >> 1) & 3;

    /// <summary>Reads the header of a packet of plausible size and kind; never throws.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> packet, out RoomCallHopHeader header)
    {
        header = default;
        if (packet.Length is < HeaderSize + TagSize or > MaxSize || packet[0] is < (byte)RoomCallHopKind.Media or > (byte)RoomCallHopKind.Report)
        {
            return false;
        }
        header = new RoomCallHopHeader((RoomCallHopKind)packet[0], (RoomCallHopFlags)packet[1], BinaryPrimitives.ReadUInt32BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(packet[6..]), BinaryPrimitives.ReadUInt16BigEndian(packet[8..]), packet[10], packet[11],
            BinaryPrimitives.ReadUInt16BigEndian(packet[12..]), BinaryPrimitives.ReadUInt32BigEndian(packet[14..]));
        return header.Kind switch
        {
            RoomCallHopKind.Nack => BodyLength(packet) % 2 == 0 && BodyLength(packet) <= MaxNacked * 2,
            RoomCallHopKind.Report => BodyLength(packet) == ReportSize,
            _ => true,
        };
    }

    public static void WriteHeader(Span<byte> packet, in RoomCallHopHeader header)
    {
        packet[0] = (byte)header.Kind;
        packet[1] = (byte)header.Flags;
        BinaryPrimitives.WriteUInt32BigEndian(packet[2..], header.CallId);
        BinaryPrimitives.WriteUInt16BigEndian(packet[6..], header.Hop);
        BinaryPrimitives.WriteUInt16BigEndian(packet[8..], header.Source);
        packet[10] = header.Stream;
        packet[11] = header.Level;
        BinaryPrimitives.WriteUInt16BigEndian(packet[12..], header.Sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet[14..], header.Counter);
    }

    /// <summary>Rewrites the fields the hub changes on the second hop: whose hop key and which counter.</summary>
    public static void SetHop(Span<byte> packet, ushort hop, uint counter)
    {
        BinaryPrimitives.WriteUInt16BigEndian(packet[6..], hop);
        BinaryPrimitives.WriteUInt32BigEndian(packet[14..], counter);
    }

    public static int BodyLength(ReadOnlySpan<byte> packet) => packet.Length - HeaderSize - TagSize;

    public static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> packet) => packet[HeaderSize..^TagSize];
}
