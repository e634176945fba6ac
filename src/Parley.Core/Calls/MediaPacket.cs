using System.Buffers;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// A sealed media packet as it travels: one UDP datagram, or the payload of a CallMedia frame when
/// UDP does not pass.
/// <code>
/// header (20, in the clear, authenticated: <see cref="MediaHeader"/>) | ciphertext (0 to 1,164) | AES-GCM tag (16)
/// </code>
/// Reading checks the header only: no key is needed to read it, since the call ID picks the call
/// whose key then opens the rest (<see cref="MediaCrypto.TryOpen"/>). This is the media hot path:
/// a packet that arrives in one piece is used where it lies, and a refusal allocates nothing.
/// </summary>
public readonly record struct MediaPacket(MediaHeader Header, ReadOnlyMemory<byte> Bytes) : IWireMessage<MediaPacket>
{
    public const int MinSize = MediaHeader.Size + MediaHeader.TagSize;

    public static int MaxSize => MediaHeader.MaxTunnelPacket;

    public static bool TryRead(in ReadOnlySequence<byte> payload, out MediaPacket message, out string error)
    {
        message = default;
        if (payload.Length is < MinSize or > MediaHeader.MaxTunnelPacket)
        {
            error = "a media packet is 36 to 1,232 bytes";
            return false;
        }
        // A frame split across the link's buffers is copied; a datagram or a frame in one buffer is not.
        var bytes = payload.IsSingleSegment ? payload.First : payload.ToArray();
        var span = bytes.Span;
        if (span[0] >> 4 != MediaHeader.Version)
        {
            error = "a media packet of another version";
            return false;
        }
        var header = MediaHeader.Read(span);
        if (header.Kind > PacketKind.Tunnel || header.Stream > StreamKind.Screen)
        {
            error = "a media packet of an unknown kind or stream";
            return false;
        }
        if (header.Kind != PacketKind.Tunnel && payload.Length > MediaHeader.MaxPacket)
        {
            error = "a media packet other than a tunnel one is at most 1,200 bytes";
            return false;
        }
        if (header.Kind is PacketKind.Media or PacketKind.Tunnel && (header.FragmentCount == 0 || header.Fragment >= header.FragmentCount))
        {
            error = "a media fragment outside its frame";
            return false;
        }
        message = new MediaPacket(header, bytes);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output) => output.Write(Bytes.Span);
}
