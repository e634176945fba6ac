using System.Buffers.Binary;

namespace Parley.Core.Calls;

/// <summary>What a media transport packet carries.</summary>
public enum PacketKind : byte
{
    /// <summary>A fragment of an encoded audio or video frame.</summary>
    Media = 0,
    /// <summary>Packet numbers the receiver is missing (video only): a <see cref="NackList"/>.</summary>
    Nack = 1,
    /// <summary>A <see cref="ReceiverReport"/>: loss, jitter, the echo for RTT.</summary>
    Report = 2,
    /// <summary>"Send a keyframe": a frame could not be completed.</summary>
    KeyframeRequest = 3,
    /// <summary>
    /// A connectivity check (no payload): sent to each address the peer named, so NATs on both sides
    /// open a way; the first that opens with the call's key shows where the peer can be reached.
    /// </summary>
    Probe = 4,
    /// <summary>
    /// A piece of a datagram of the pages' own WebRTC engine (<see cref="CallEngines.WebRtc"/>): kept and
    /// NACKed like video, delivered at once (never held for order). Pieces reassemble like a frame's.
    /// </summary>
    Tunnel = 5,
}

/// <summary>The media a stream carries; one stream of each kind per direction.</summary>
public enum StreamKind : byte
{
    Audio = 0,
    Video = 1,
    Screen = 2,
}

[Flags]
public enum MediaFlags : byte
{
    None = 0,
    Keyframe = 1,
    Retransmission = 2,
}

/// <summary>
/// The 20-byte header of a media transport packet (<see cref="MediaPacket"/>), sent in the clear and
/// authenticated as the AES-GCM associated data:
/// <code>
/// version u4 (1) | kind u4 | stream u8 | call ID u32 | packet number u32 | timestamp u32
/// | frame number u16 | fragment index u8 | fragment count u8 | flags u8 | codec u8
/// </code>
/// The packet number counts every packet of a direction: it is the nonce and the replay window's
/// key. Timestamps tick at 48 kHz for audio, 90 kHz for video. A packet is at most
/// <see cref="MaxPacket"/> bytes: header, ciphertext, 16-byte tag.
/// </summary>
public readonly record struct MediaHeader(PacketKind Kind, StreamKind Stream, uint CallId, uint PacketNumber, uint Timestamp,
    ushort Frame, byte Fragment, byte FragmentCount, MediaFlags Flags, byte Codec)
{
    public const byte Version = 1;
    public const int Size = 20;
    public const int TagSize = 16;

    /// <summary>Largest UDP payload sent: fits a 1280-byte IPv6 MTU with room for tunnels.</summary>
    public const int MaxPacket = 1200;

    /// <summary>Largest plaintext one packet carries.</summary>
    public const int MaxPayload = MaxPacket - Size - TagSize;

    /// <summary>
    /// Largest Tunnel packet: exactly a 1280-byte IPv6 MTU. WebRTC sizes its own packets for a 1200-byte path
    /// (about 1,170 bytes with TURN's framing); at the media limit most video packets were split in two, and
    /// at 20 % loss a datagram then arrived only 64 % of the time.
    /// </summary>
    public const int MaxTunnelPacket = 1232;

    /// <summary>Largest plaintext one Tunnel packet carries.</summary>
    public const int MaxTunnelPayload = MaxTunnelPacket - Size - TagSize;

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)((Version << 4) | (byte)Kind);
        destination[1] = (byte)Stream;
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], CallId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], PacketNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[10..], Timestamp);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], Frame);
        destination[16] = Fragment;
        destination[17] = FragmentCount;
        destination[18] = (byte)Flags;
        destination[19] = Codec;
    }

    /// <summary>
    /// Whether a sealed packet may wait behind bulk data: only video and screen media may (audio and
    /// control — keyframe requests, NACKs, reports — must not be dropped to make room for them).
    /// </summary>
    public static bool IsBulk(ReadOnlySpan<byte> packet) =>
        packet.Length >= Size && (PacketKind)(packet[0] & 0x0F) == PacketKind.Media && (StreamKind)packet[1] != StreamKind.Audio;

    /// <summary>The fields as they are, unchecked: <see cref="MediaPacket.TryRead"/> checks them.</summary>
    internal static MediaHeader Read(ReadOnlySpan<byte> source) =>
        new((PacketKind)(source[0] & 0x0F), (StreamKind)source[1], BinaryPrimitives.ReadUInt32BigEndian(source[2..]), BinaryPrimitives.ReadUInt32BigEndian(source[6..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[10..]), BinaryPrimitives.ReadUInt16BigEndian(source[14..]), source[16], source[17], (MediaFlags)source[18], source[19]);
}
