using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// One page's WebRTC session description for a call that runs on Chromium's own engine
/// (<see cref="CallEngines.WebRtc"/>): the caller's page offers, the callee's page answers. It travels
/// inside the TLS link, so the DTLS fingerprints in it are as authentic as the link: no one between
/// the pages can put itself in the middle of their DTLS-SRTP.
/// <code>
/// call ID u32 | kind u8 (1 offer, 2 answer) | SDP (UTF-8, at most 32 KiB)
/// </code>
/// </summary>
public sealed record CallPageSignal(uint CallId, PageSignalKind Kind, string Sdp) : IWireMessage<CallPageSignal>
{
    public const int FixedSize = 5;
    public const int MaxSdpBytes = 32 * 1024;

    public static int MaxSize => FixedSize + MaxSdpBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out CallPageSignal message, out string error)
    {
        message = null;
        if (payload.Length < FixedSize || payload.Length > MaxSize)
        {
            error = $"call page signal of {payload.Length} bytes, expected {FixedSize} to {MaxSize}";
            return false;
        }
        Span<byte> head = stackalloc byte[FixedSize];
        payload.Slice(0, FixedSize).CopyTo(head);
        if (head[4] is not ((byte)PageSignalKind.Offer or (byte)PageSignalKind.Answer))
        {
            error = $"call page signal of unknown kind {head[4]}";
            return false;
        }
        var sdp = payload.Slice(FixedSize).ToArray();
        if (!Utf8.IsValid(sdp))
        {
            error = "call page signal whose SDP is not UTF-8";
            return false;
        }
        message = new CallPageSignal(BinaryPrimitives.ReadUInt32BigEndian(head), (PageSignalKind)head[4], Encoding.UTF8.GetString(sdp));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var length = Encoding.UTF8.GetByteCount(Sdp);
        if (length > MaxSdpBytes)
        {
            throw new InvalidOperationException($"a session description is at most {MaxSdpBytes} bytes");
        }
        var bytes = output.GetSpan(FixedSize + length);
        BinaryPrimitives.WriteUInt32BigEndian(bytes, CallId);
        bytes[4] = (byte)Kind;
        Encoding.UTF8.GetBytes(Sdp, bytes[FixedSize..]);
        output.Advance(FixedSize + length);
    }
}

public enum PageSignalKind : byte
{
    Offer = 1,
    Answer = 2,
}
