using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// The callee's answer to a <see cref="CallInvite"/>: yes with the video codec chosen and where its
/// media socket listens, or no with the reason (declined, busy, ringing too often).
/// <code>
/// call ID u32 | accepted u8 (0 or 1) | video codec chosen u8 (one bit, or 0) | UDP port u16 | engine chosen u8 (one bit, or 0)
/// | reason (UTF-8, at most 256 bytes)
/// </code>
/// </summary>
public sealed record CallAnswer(uint CallId, bool Accepted, VideoCodecs Codec, ushort UdpPort, CallEngines Engine, string Reason) : IWireMessage<CallAnswer>
{
    public const int FixedSize = 4 + 1 + 1 + 2 + 1;

    public static int MaxSize => ReasonPayload.MaxSize(FixedSize);

    /// <summary>A refusal: no codec, no port.</summary>
    public static CallAnswer No(uint callId, string reason) => new(callId, false, VideoCodecs.None, 0, CallEngines.None, reason);

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out CallAnswer message, out string error)
    {
        message = null;
        Span<byte> bytes = stackalloc byte[FixedSize];
        if (!ReasonPayload.TryRead(payload, bytes, "call answer", out var reason, out error))
        {
            return false;
        }
        var codec = bytes[5];
        var engine = bytes[8];
        if (bytes[4] > 1 || codec > 4 || (codec & (codec - 1)) != 0 || engine > 2)
        {
            error = "call answer with a bad flag, codec or engine";
            return false;
        }
        message = new CallAnswer(BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4] == 1, (VideoCodecs)codec, BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]), (CallEngines)engine, reason);
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        Span<byte> bytes = stackalloc byte[FixedSize];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, CallId);
        bytes[4] = Accepted ? (byte)1 : (byte)0;
        bytes[5] = (byte)Codec;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[6..], UdpPort);
        bytes[8] = (byte)Engine;
        ReasonPayload.Write(output, bytes, Reason);
    }
}
