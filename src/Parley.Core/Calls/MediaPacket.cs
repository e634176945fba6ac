using System.Buffers.Binary;

namespace Parley.Core.Calls;

/// <summary>What a media transport packet carries.</summary>
public enum PacketKind : byte
{
    /// <summary>A fragment of an encoded audio or video frame.</summary>
    Media = 0,
    /// <summary>Packet numbers the receiver is missing (video only).</summary>
    Nack = 1,
    /// <summary>A receiver report: loss, jitter, the echo for RTT.</summary>
    Report = 2,
    /// <summary>"Send a keyframe": a frame could not be completed.</summary>
    KeyframeRequest = 3,
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
/// The 20-byte header of a media transport packet, sent in the clear and authenticated as the
/// AES-GCM associated data: version and kind (1), stream (1), call ID u32, packet number u32 (per
/// direction, every packet, the nonce and the replay window), timestamp u32 (48 kHz audio, 90 kHz
/// video), frame number u16, fragment index (1) and count (1), flags (1), codec (1). A packet is
/// at most <see cref="MaxPacket"/> bytes: header, ciphertext, 16-byte tag.
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

    /// <summary>The call ID alone: the one lookup a packet from a stranger costs.</summary>
    public static bool TryReadCallId(ReadOnlySpan<byte> packet, out uint callId)
    {
        callId = 0;
        if (packet.Length < Size + TagSize || packet.Length > MaxPacket || packet[0] >> 4 != Version)
        {
            return false;
        }
        callId = BinaryPrimitives.ReadUInt32BigEndian(packet[2..]);
        return true;
    }

    /// <summary>Parses and sanity-checks a header; false for anything malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out MediaHeader header)
    {
        header = default;
        if (!TryReadCallId(packet, out var callId))
        {
            return false;
        }
        var kind = (PacketKind)(packet[0] & 0x0F);
        var stream = (StreamKind)packet[1];
        var fragment = packet[16];
        var count = packet[17];
        if (kind > PacketKind.KeyframeRequest || stream > StreamKind.Screen || (kind == PacketKind.Media && (count == 0 || fragment >= count)))
        {
            return false;
        }
        header = new MediaHeader(kind, stream, callId, BinaryPrimitives.ReadUInt32BigEndian(packet[6..]), BinaryPrimitives.ReadUInt32BigEndian(packet[10..]),
            BinaryPrimitives.ReadUInt16BigEndian(packet[14..]), fragment, count, (MediaFlags)packet[18], packet[19]);
        return true;
    }
}
