using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Core.Calls;

/// <summary>
/// AES-128-GCM for one direction of one call. The caller makes a random 32-byte call secret and
/// sends it inside the TLS link with the call request; each side derives, with HKDF-SHA256, a key
/// and a 4-byte nonce salt per direction ("caller to callee", "callee to caller"), so the keys exist
/// for this call only and the two directions never share a nonce. The nonce is the salt, four zero
/// bytes and the packet number, which the sender never repeats within a call: it starts at 1 and
/// the session stops sealing before it would wrap (<see cref="MediaSession.KeysUsedUp"/>).
/// </summary>
public sealed class MediaCrypto : IDisposable
{
    public const int SecretSize = 32;
    private readonly AesGcm _aes;
    private readonly byte[] _salt;

    private MediaCrypto(byte[] key, byte[] salt)
    {
        _aes = new AesGcm(key, MediaHeader.TagSize);
        _salt = salt;
    }

    /// <summary>The sealing and opening keys of one side: <paramref name="isCaller"/> seals with caller→callee.</summary>
    public static (MediaCrypto Seal, MediaCrypto Open) ForCall(ReadOnlySpan<byte> secret, bool isCaller)
    {
        if (secret.Length != SecretSize)
        {
            throw new ArgumentException($"a call secret is {SecretSize} bytes");
        }
        var forward = Derive(secret, "parley call v1 caller to callee");
        var backward = Derive(secret, "parley call v1 callee to caller");
        return isCaller ? (forward, backward) : (backward, forward);
    }

    private static MediaCrypto Derive(ReadOnlySpan<byte> secret, string direction)
    {
        Span<byte> material = stackalloc byte[20];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, material, [], Encoding.ASCII.GetBytes(direction));
        return new MediaCrypto(material[..16].ToArray(), material[16..].ToArray());
    }

    /// <summary>Writes header, ciphertext and tag into <paramref name="packet"/>; returns the packet's length.</summary>
    public int Seal(in MediaHeader header, ReadOnlySpan<byte> payload, Span<byte> packet)
    {
        if (payload.Length > (header.Kind == PacketKind.Tunnel ? MediaHeader.MaxTunnelPayload : MediaHeader.MaxPayload))
        {
            throw new ArgumentException($"a packet carries at most {MediaHeader.MaxPayload} bytes of media ({MediaHeader.MaxTunnelPayload} tunnelled)");
        }
        header.Write(packet);
        var length = MediaHeader.Size + payload.Length + MediaHeader.TagSize;
        Span<byte> nonce = stackalloc byte[12];
        Nonce(header.PacketNumber, nonce);
        _aes.Encrypt(nonce, payload, packet.Slice(MediaHeader.Size, payload.Length), packet.Slice(MediaHeader.Size + payload.Length, MediaHeader.TagSize),
            packet[..MediaHeader.Size]);
        return length;
    }

    /// <summary>Decrypts a packet's payload into <paramref name="payload"/>; false when it was forged or damaged.</summary>
    public bool TryOpen(in MediaPacket packet, Span<byte> payload, out int length)
    {
        var bytes = packet.Bytes.Span;
        length = bytes.Length - MediaHeader.Size - MediaHeader.TagSize;
        if (length < 0 || payload.Length < length)
        {
            return false;
        }
        Span<byte> nonce = stackalloc byte[12];
        Nonce(packet.Header.PacketNumber, nonce);
        try
        {
            _aes.Decrypt(nonce, bytes.Slice(MediaHeader.Size, length), bytes[^MediaHeader.TagSize..], payload[..length], bytes[..MediaHeader.Size]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private void Nonce(uint packetNumber, Span<byte> nonce)
    {
        _salt.CopyTo(nonce);
        nonce[4..8].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], packetNumber);
    }

    public void Dispose() => _aes.Dispose();
}
