using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Core.Identity;

namespace Parley.Core.Hub;

/// <summary>A member's current key for its own messages in one room (in the manner of Signal's sender keys).</summary>
public sealed class SenderKey(uint keyId, byte[] key)
{
    private long _counter;

    public uint KeyId { get; } = keyId;

    public byte[] Key { get; } = key;

    public static SenderKey CreateRandom() => new(BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)), RandomNumberGenerator.GetBytes(32));

    /// <summary>The next message number: with the key ID it makes the AES-GCM nonce, never reused under one key.</summary>
    public ulong NextCounter() => (ulong)Interlocked.Increment(ref _counter);
}

/// <summary>
/// Room messages end to end. The text is encrypted with the sender's sender key (AES-256-GCM; nonce =
/// key ID u32 | counter u64; associated data = room, sender) and signed with the sender's identity.
/// Sender keys travel to each member sealed with <see cref="MailboxSeal"/> to its agreement key, and are
/// replaced whenever membership changes, so a member who left never gets the key of what follows.
/// <code>
/// sealed message: key ID u32 | counter u64 | tag (16) | ciphertext length u32 | ciphertext | signature length u8 | signature
/// key item (sealed): "PRK1" | room length u8 | room | key ID u32 | key (32)
/// </code>
/// </summary>
public static class RoomCrypto
{
    private static ReadOnlySpan<byte> KeyMagic => "PRK1"u8;

    public static byte[] SealMessage(NodeIdentity sender, string room, SenderKey key, ReadOnlySpan<byte> plaintext)
    {
        var counter = key.NextCounter();
        var nonce = Nonce(key.KeyId, counter);
        var tag = new byte[16];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key.Key, 16))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, Associated(room, sender.DeviceId));
        }
        var body = new byte[4 + 8 + 16 + 4 + ciphertext.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body, key.KeyId);
        BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(4), counter);
        tag.CopyTo(body, 12);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(28), (uint)ciphertext.Length);
        ciphertext.CopyTo(body, 32);
        using var signer = sender.Certificate.GetECDsaPrivateKey()!;
        var signature = signer.SignData([.. Associated(room, sender.DeviceId), .. body], HashAlgorithmName.SHA256);
        return [.. body, (byte)signature.Length, .. signature];
    }

    /// <summary>The key ID a sealed message was made with, to find the sender key; false if malformed.</summary>
    public static bool TryReadKeyId(byte[] sealedMessage, out uint keyId)
    {
        keyId = sealedMessage.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(sealedMessage) : 0;
        return sealedMessage.Length >= 33;
    }

    /// <summary>Checks the sender's signature (with its identity key) and decrypts; false when anything does not hold.</summary>
    public static bool TryOpenMessage(byte[] sealedMessage, string room, DeviceId sender, byte[] senderIdentityKey, byte[] key, out byte[] plaintext)
    {
        plaintext = [];
        try
        {
            if (new DeviceId(SHA256.HashData(senderIdentityKey)) != sender || sealedMessage.Length < 33)
            {
                return false;
            }
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(sealedMessage.AsSpan(28));
            if (length < 0 || 32 + length + 1 > sealedMessage.Length)
            {
                return false;
            }
            var bodyLength = 32 + length;
            var signatureLength = sealedMessage[bodyLength];
            if (bodyLength + 1 + signatureLength != sealedMessage.Length)
            {
                return false;
            }
            using var verifier = ECDsa.Create();
            verifier.ImportSubjectPublicKeyInfo(senderIdentityKey, out _);
            if (!verifier.VerifyData([.. Associated(room, sender), .. sealedMessage.AsSpan(0, bodyLength)], sealedMessage.AsSpan(bodyLength + 1), HashAlgorithmName.SHA256))
            {
                return false;
            }
            var keyId = BinaryPrimitives.ReadUInt32BigEndian(sealedMessage);
            var counter = BinaryPrimitives.ReadUInt64BigEndian(sealedMessage.AsSpan(4));
            plaintext = new byte[length];
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(Nonce(keyId, counter), sealedMessage.AsSpan(32, length), sealedMessage.AsSpan(12, 16), plaintext, Associated(room, sender));
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    public static byte[] EncodeKey(string room, SenderKey key)
    {
        var id = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(id, key.KeyId);
        return [.. KeyMagic, (byte)room.Length, .. Encoding.ASCII.GetBytes(room), .. id, .. key.Key];
    }

    public static bool TryDecodeKey(byte[] plaintext, out string room, out uint keyId, out byte[] key)
    {
        room = "";
        keyId = 0;
        key = [];
        if (plaintext.Length < 5 || !plaintext.AsSpan(0, 4).SequenceEqual(KeyMagic) || plaintext.Length != 5 + plaintext[4] + 4 + 32)
        {
            return false;
        }
        room = Encoding.ASCII.GetString(plaintext, 5, plaintext[4]);
        keyId = BinaryPrimitives.ReadUInt32BigEndian(plaintext.AsSpan(5 + plaintext[4]));
        key = plaintext[^32..];
        return RoomNames.IsValid(room);
    }

    private static byte[] Nonce(uint keyId, ulong counter)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(nonce, keyId);
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), counter);
        return nonce;
    }

    private static byte[] Associated(string room, DeviceId sender) => [.. Encoding.ASCII.GetBytes("parley-room-v1:" + room + ":"), .. sender.Bytes];
}
