using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>What a call carries: audio always, video and screen when asked.</summary>
[Flags]
public enum CallMedia : byte
{
    Audio = 1,
    Video = 2,
    Screen = 4,
}

/// <summary>Video codecs a side can encode and decode; the callee picks one both have.</summary>
[Flags]
public enum VideoCodecs : byte
{
    None = 0,
    Vp8 = 1,
    Vp9 = 2,
    H264 = 4,
}

/// <summary>CallInvite: call ID u32 | media u8 | video codecs u8 | UDP port u16 | call secret (32). Sent inside the TLS link.</summary>
public sealed record CallInvite(uint CallId, CallMedia Media, VideoCodecs Codecs, ushort UdpPort, byte[] Secret);

/// <summary>CallAnswer: call ID u32 | accepted u8 | video codec chosen u8 | UDP port u16 | reason UTF-8 (when declined).</summary>
public sealed record CallAnswer(uint CallId, bool Accepted, VideoCodecs Codec, ushort UdpPort, string Reason);

/// <summary>The call signalling frames' layouts; any size or value outside them is a protocol error.</summary>
public static class CallSignal
{
    public const int InviteSize = 4 + 1 + 1 + 2 + MediaCrypto.SecretSize;
    public const int AnswerSize = 4 + 1 + 1 + 2;

    public static byte[] Encode(CallInvite invite)
    {
        var bytes = new byte[InviteSize];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, invite.CallId);
        bytes[4] = (byte)invite.Media;
        bytes[5] = (byte)invite.Codecs;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), invite.UdpPort);
        invite.Secret.CopyTo(bytes, 8);
        return bytes;
    }

    public static CallInvite DecodeInvite(ReadOnlySequence<byte> payload)
    {
        if (payload.Length != InviteSize)
        {
            throw new ProtocolException($"call invite of {payload.Length} bytes, expected {InviteSize}");
        }
        var bytes = payload.ToArray();
        var media = (CallMedia)bytes[4];
        if (!media.HasFlag(CallMedia.Audio) || (byte)media > 7 || bytes[5] > 7)
        {
            throw new ProtocolException("call invite with unknown media or codecs");
        }
        return new CallInvite(BinaryPrimitives.ReadUInt32BigEndian(bytes), media, (VideoCodecs)bytes[5],
            BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(6)), bytes[8..]);
    }

    public static byte[] Encode(CallAnswer answer)
    {
        var reason = PayloadText.Truncate(answer.Reason, ProtocolLimits.MaxCloseReasonBytes);
        var bytes = new byte[AnswerSize + reason.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, answer.CallId);
        bytes[4] = answer.Accepted ? (byte)1 : (byte)0;
        bytes[5] = (byte)answer.Codec;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), answer.UdpPort);
        reason.CopyTo(bytes, AnswerSize);
        return bytes;
    }

    public static CallAnswer DecodeAnswer(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < AnswerSize)
        {
            throw new ProtocolException($"call answer of {payload.Length} bytes is too short");
        }
        var bytes = payload.ToArray();
        if (bytes[4] > 1 || bytes[5] > 4 || (bytes[5] & (bytes[5] - 1)) != 0 || !PayloadText.TryDecode(bytes.AsSpan(AnswerSize), out var reason))
        {
            throw new ProtocolException("call answer with a bad flag, codec or reason");
        }
        return new CallAnswer(BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4] == 1, (VideoCodecs)bytes[5],
            BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(6)), reason);
    }

    public static byte[] EncodeEnd(uint callId, string reason) => WithId(callId, PayloadText.Truncate(reason, ProtocolLimits.MaxCloseReasonBytes));

    public static (uint CallId, string Reason) DecodeEnd(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < 4)
        {
            throw new ProtocolException("call end without a call ID");
        }
        var bytes = payload.ToArray();
        return PayloadText.TryDecode(bytes.AsSpan(4), out var reason)
            ? (BinaryPrimitives.ReadUInt32BigEndian(bytes), reason)
            : throw new ProtocolException("call end reason is not UTF-8");
    }

    private static byte[] WithId(uint callId, ReadOnlySpan<byte> rest)
    {
        var bytes = new byte[4 + rest.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, callId);
        rest.CopyTo(bytes.AsSpan(4));
        return bytes;
    }
}
