using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// A ring, sent inside the TLS link: it carries the fresh secret the call's media keys come from
/// (<see cref="MediaCrypto"/>), so only the two ends of that link can read the media.
/// <code>
/// call ID u32 | media u8 (1 audio, 2 video, 4 screen; audio always) | video codecs u8 (1 VP8, 2 VP9, 4 H.264)
/// | UDP port u16 (0: no UDP here, media rides the link) | engines u8 (1 WebCodecs, 2 WebRTC; WebCodecs always) | call secret (32)
/// </code>
/// </summary>
public sealed record CallInvite(uint CallId, CallMedia Media, VideoCodecs Codecs, ushort UdpPort, CallEngines Engines, byte[] Secret) : IWireMessage<CallInvite>
{
    public const int Size = 4 + 1 + 1 + 2 + 1 + MediaCrypto.SecretSize;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out CallInvite message, out string error)
    {
        message = null;
        if (payload.Length != Size)
        {
            error = $"call invite of {payload.Length} bytes, expected {Size}";
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size];
        payload.CopyTo(bytes);
        var media = (CallMedia)bytes[4];
        var engines = (CallEngines)bytes[8];
        if (!media.HasFlag(CallMedia.Audio) || (byte)media > 7 || bytes[5] > 7 || !engines.HasFlag(CallEngines.WebCodecs) || (byte)engines > 3)
        {
            error = "call invite with unknown media, codecs or engines";
            return false;
        }
        message = new CallInvite(BinaryPrimitives.ReadUInt32BigEndian(bytes), media, (VideoCodecs)bytes[5],
            BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]), engines, bytes[9..].ToArray());
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        if (Secret.Length != MediaCrypto.SecretSize)
        {
            throw new InvalidOperationException($"a call secret is {MediaCrypto.SecretSize} bytes");
        }
        var bytes = output.GetSpan(Size);
        BinaryPrimitives.WriteUInt32BigEndian(bytes, CallId);
        bytes[4] = (byte)Media;
        bytes[5] = (byte)Codecs;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[6..], UdpPort);
        bytes[8] = (byte)Engines;
        Secret.CopyTo(bytes[9..]);
        output.Advance(Size);
    }
}
