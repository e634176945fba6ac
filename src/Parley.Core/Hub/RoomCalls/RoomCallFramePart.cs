using System.Buffers.Binary;
using Parley.Core.Calls;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>What a room call frame part carries, end to end (the hub never sees this).</summary>
public enum RoomCallPartKind : byte
{
    Audio = 0,
    Video = 1,
    Screen = 2,

    /// <summary>The sender's state (<see cref="RoomCallPeerState"/>): muted, camera, sharing. Sent on each change and every few seconds.</summary>
    State = 3,
}

/// <summary>A participant's state as it tells the others (end to end), one byte.</summary>
[Flags]
public enum RoomCallPeerState : byte
{
    None = 0,
    Muted = 1,
    CameraOff = 2,
    Sharing = 4,
}

/// <summary>
/// The header inside a room call frame part's end-to-end ciphertext: which of the sender's frames it
/// is a piece of, so the receiving node puts frames back together (<see cref="FrameAssembler"/>). The
/// hub routes by the clear hop header and cannot read this; a camera and a shared screen both ride
/// the hop's video stream and are told apart here.
/// <code>
/// kind u8 | flags u8 (1 keyframe) | frame u16 | fragment u8 | fragment count u8 | timestamp u32 | codec u8 | data
/// </code>
/// </summary>
public readonly record struct RoomCallFramePart(RoomCallPartKind Kind, bool Keyframe, ushort Frame, byte Fragment, byte FragmentCount, uint Timestamp, byte Codec)
{
    public const int Size = 11;

    /// <summary>Most frame bytes one part carries. 1,189.</summary>
    public const int MaxData = RoomCallFrameParts.MaxMediaPart - Size;

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)Kind;
        destination[1] = Keyframe ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Frame);
        destination[4] = Fragment;
        destination[5] = FragmentCount;
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], Timestamp);
        destination[10] = Codec;
    }

    /// <summary>Reads a part's header (a sane one: a known kind, a fragment inside its count); never throws.</summary>
    public static bool TryRead(ReadOnlySpan<byte> part, out RoomCallFramePart header)
    {
        header = default;
        if (part.Length < Size || part[0] > (byte)RoomCallPartKind.State || part[1] > 1 || part[5] == 0 || part[4] >= part[5])
        {
            return false;
        }
        header = new RoomCallFramePart((RoomCallPartKind)part[0], part[1] == 1, BinaryPrimitives.ReadUInt16BigEndian(part[2..]), part[4], part[5],
            BinaryPrimitives.ReadUInt32BigEndian(part[6..]), part[10]);
        return true;
    }

    /// <summary>The same facts as a 1:1 call's media header, for the frame assembler (a state part is never assembled).</summary>
    public MediaHeader AsMediaHeader() => new(PacketKind.Media, (StreamKind)Kind, 0, 0, Timestamp, Frame, Fragment, FragmentCount,
        Keyframe ? MediaFlags.Keyframe : MediaFlags.None, Codec);
}

/// <summary>Sizes shared by the sender and the receiver of frame parts.</summary>
public static class RoomCallFrameParts
{
    /// <summary>Largest end-to-end plaintext one hop packet carries: its body less the frame cipher's header and tag, and some spare. 1,200.</summary>
    public const int MaxMediaPart = RoomCallHop.MaxBodySize - RoomCallFrameCipher.Overhead - 75;
}
