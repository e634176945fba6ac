using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// What a receiver tells the sender four times a second, sealed in a Report packet:
/// <code>
/// sent-at µs u32 (never 0) | echo of the peer's last sent-at u32 (0: none yet) | µs since that report arrived u32
/// | fraction lost since the last report (x/255) u8 | jitter µs u32 | packets lost in all u32
/// </code>
/// The fraction counts gaps as they are seen, before any resend fills them (the path's loss, which
/// steers the bitrate); the echo and its delay give the peer the round trip. Times are in
/// microseconds, wrapping every 71 minutes (unsigned subtraction absorbs the wrap), so the round
/// trip is not off by the few milliseconds that rounding three millisecond times would cost.
/// </summary>
public readonly record struct ReceiverReport(uint SentAt, uint Echo, uint EchoDelay, byte FractionLost, uint JitterMicros, uint TotalLost)
    : IWireMessage<ReceiverReport>
{
    public const int Size = 21;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, out ReceiverReport message, out string error)
    {
        message = default;
        if (payload.Length != Size)
        {
            error = "a receiver report is 21 bytes";
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size];
        payload.CopyTo(bytes);
        message = new ReceiverReport(BinaryPrimitives.ReadUInt32BigEndian(bytes), BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]), bytes[12], BinaryPrimitives.ReadUInt32BigEndian(bytes[13..]), BinaryPrimitives.ReadUInt32BigEndian(bytes[17..]));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var bytes = output.GetSpan(Size);
        BinaryPrimitives.WriteUInt32BigEndian(bytes, SentAt);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[4..], Echo);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[8..], EchoDelay);
        bytes[12] = FractionLost;
        BinaryPrimitives.WriteUInt32BigEndian(bytes[13..], JitterMicros);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[17..], TotalLost);
        output.Advance(Size);
    }
}
