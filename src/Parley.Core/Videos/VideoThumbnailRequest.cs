using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Videos;

/// <summary>
/// VideoThumbnailRequest: a viewer asks for the poster frame a catalog variant names. Answered by one
/// VideoThumbnail or one VideoError.
/// <code>
/// request ID u32 | thumbnail ID (32: the SHA-256 of the JPEG, as the catalog gives it in hex)
/// </code>
/// The ID is the bytes' own hash, so the viewer checks what arrives against what it asked for.
/// </summary>
public readonly record struct VideoThumbnailRequest(uint Request, string Thumbnail) : IWireMessage<VideoThumbnailRequest>
{
    public const int HashSize = 32;

    public const int Size = VideoRequestId.Size + HashSize;

    public static int MaxSize => Size;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out VideoThumbnailRequest message, out string error)
    {
        message = default;
        if (payload.Length != Size)
        {
            error = $"video thumbnail request of {payload.Length} bytes, expected {Size}";
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size];
        payload.CopyTo(bytes);
        message = new VideoThumbnailRequest(BinaryPrimitives.ReadUInt32BigEndian(bytes), Convert.ToHexStringLower(bytes[VideoRequestId.Size..]));
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var bytes = output.GetSpan(Size);
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Request);
        if (Convert.FromHexString(Thumbnail, bytes.Slice(VideoRequestId.Size, HashSize), out _, out var written) != OperationStatus.Done || written != HashSize)
        {
            throw new ArgumentException($"'{Thumbnail}' is not a thumbnail ID (64 hex digits)");
        }
        output.Advance(Size);
    }

    /// <summary>True for a thumbnail ID as catalogs carry it: 64 lower-case hex digits.</summary>
    public static bool IsId(string? text) => text is { Length: HashSize * 2 } && text.All(char.IsAsciiHexDigitLower);
}
