using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>
/// End-to-end encryption of a room call's media, SFrame-like (RFC 9605): each packet's body is the
/// sender's key ID and a counter in clear, then the media part under AES-256-GCM with that header as
/// associated data. The hub forwards it unread; a receiver holding the sender's key for that ID opens it.
/// A sending cipher never repeats a counter under one key (it takes a new key long before 2^64).
/// <code>
/// body: key ID u8 | counter u64 | ciphertext | tag (16)
/// nonce: 4 zero bytes | counter u64
/// </code>
/// </summary>
public sealed class RoomCallFrameCipher : IDisposable
{
    public const int HeaderSize = 1 + 8;
    public const int TagSize = 16;
    public const int Overhead = HeaderSize + TagSize;

    private readonly AesGcm _aes;
    private readonly byte[] _nonce = new byte[12];
    private ulong _counter;

    public RoomCallFrameCipher(RoomCallFrameKey key)
    {
        KeyId = key.KeyId;
        _aes = new AesGcm(key.Key, TagSize);
    }

    public byte KeyId { get; }

    /// <summary>The key ID a body was sealed under (to pick the cipher), if it has a header.</summary>
    public static bool TryKeyId(ReadOnlySpan<byte> body, out byte keyId)
    {
        keyId = body.Length >= Overhead ? body[0] : (byte)0;
        return body.Length >= Overhead;
    }

    /// <summary>Seals <paramref name="media"/> into <paramref name="body"/> (at least <see cref="Overhead"/> longer); returns the body's length.</summary>
    public int Seal(ReadOnlySpan<byte> media, Span<byte> body)
    {
        var counter = _counter++;
        body[0] = KeyId;
        BinaryPrimitives.WriteUInt64BigEndian(body[1..], counter);
        SetNonce(counter);
        var length = HeaderSize + media.Length + TagSize;
        _aes.Encrypt(_nonce, media, body.Slice(HeaderSize, media.Length), body.Slice(HeaderSize + media.Length, TagSize), body[..HeaderSize]);
        return length;
    }

    /// <summary>Opens a body sealed under this key into <paramref name="media"/>; false if it is not this key's or was changed.</summary>
    public bool TryOpen(ReadOnlySpan<byte> body, Span<byte> media, out int length)
    {
        length = body.Length - Overhead;
        if (length < 0 || body[0] != KeyId || media.Length < length)
        {
            length = 0;
            return false;
        }
        SetNonce(BinaryPrimitives.ReadUInt64BigEndian(body[1..]));
        try
        {
            _aes.Decrypt(_nonce, body.Slice(HeaderSize, length), body[^TagSize..], media[..length], body[..HeaderSize]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            length = 0;
            return false;
        }
    }

    private void SetNonce(ulong counter) => BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), counter);

    public void Dispose() => _aes.Dispose();
}
