using System.Diagnostics.CodeAnalysis;
using System.Text;
using Parley.Core.Protocol;

namespace Parley.Core.Attachments;

/// <summary>
/// The kind discriminator inside a sealed room message: a room message's plaintext is a ChatMessage,
/// unless it starts with this 24-byte marker — "parley-attach-v1" where a ChatMessage has its ID, then
/// a sent-at of i64 max, which no ChatMessage reader accepts (it is past DateTimeOffset.MaxValue) — and
/// then an <see cref="AttachmentRef"/>. A node that knows only chat messages refuses it as malformed,
/// as it would any message it cannot read, and everything else in the room goes on.
/// </summary>
public static class RoomAttachment
{
    private static readonly byte[] Marker = [.. Encoding.ASCII.GetBytes("parley-attach-v1"), 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    public static byte[] ToPlaintext(AttachmentRef reference) => [.. Marker, .. reference.ToArray()];

    /// <summary>True with the reference when the plaintext is an attachment (marker and a well-formed reference).</summary>
    public static bool TryRead(byte[] plaintext, [NotNullWhen(true)] out AttachmentRef? reference)
    {
        reference = null;
        return plaintext.AsSpan().StartsWith(Marker)
            && WireMessage.TryRead<AttachmentRef>(plaintext.AsMemory(Marker.Length), out reference, out _);
    }

}
