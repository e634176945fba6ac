using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// Room messages end to end. The text is encrypted with the message key of the sender's key chain for
/// its counter (AES-256-GCM; see <see cref="SenderKey"/>; nonce = key ID u32 | counter u64; associated
/// data = room, sender) and signed with the sender's identity
/// (layout: <see cref="SealedRoomMessage"/>). Sender keys travel to each member as a
/// <see cref="SenderKeyItem"/> sealed with the mailbox seal to its agreement key (for
/// <see cref="Mailbox.SealPurpose.RoomKey"/>, so a key item never opens as mail), and are replaced
/// whenever membership changes, so a member who left never gets the key of what follows.
/// </summary>
public static class RoomCrypto
{
    public static byte[] SealMessage(NodeIdentity sender, string room, SenderKey key, ReadOnlySpan<byte> plaintext)
    {
        var (counter, messageKey) = key.Next();
        var tag = new byte[SealedRoomMessage.TagSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(messageKey, SealedRoomMessage.TagSize))
        {
            aes.Encrypt(Nonce(key.KeyId, counter), plaintext, ciphertext, tag, Associated(room, sender.DeviceId));
        }
        var unsigned = new SealedRoomMessage(key.KeyId, counter, tag, ciphertext, []);
        using var signer = sender.Certificate.GetECDsaPrivateKey()!;
        var signature = signer.SignData([.. Associated(room, sender.DeviceId), .. unsigned.SignedBody()], HashAlgorithmName.SHA256);
        return (unsigned with { Signature = signature }).ToArray();
    }

    /// <summary>The key ID and counter a sealed message was made with, to find the sender key before opening it; false if too short to be one.</summary>
    public static bool TryReadKeyId(byte[] sealedMessage, out uint keyId, out ulong counter)
    {
        keyId = sealedMessage.Length >= 12 ? BinaryPrimitives.ReadUInt32BigEndian(sealedMessage) : 0;
        counter = sealedMessage.Length >= 12 ? BinaryPrimitives.ReadUInt64BigEndian(sealedMessage.AsSpan(4)) : 0;
        return sealedMessage.Length >= 33;
    }

    /// <summary>Checks the sender's signature (with its identity key) and decrypts; false when anything does not hold.</summary>
    public static bool TryOpenMessage(byte[] sealedMessage, string room, DeviceId sender, byte[] senderIdentityKey, HeldSenderKey key, out byte[] plaintext)
    {
        plaintext = [];
        using var verifier = TryVerifier(sender, senderIdentityKey);
        return verifier is not null && TryOpenMessage(sealedMessage, room, sender, verifier, key, out plaintext);
    }

    /// <summary>
    /// The sender's identity key, ready to check signatures, if it is the key the sender's device ID is
    /// the hash of; null otherwise. Importing once per sender and reusing it (on one thread at a time)
    /// saves that work on every message.
    /// </summary>
    public static ECDsa? TryVerifier(DeviceId sender, byte[] senderIdentityKey)
    {
        if (new DeviceId(SHA256.HashData(senderIdentityKey)) != sender)
        {
            return null;
        }
        var verifier = ECDsa.Create();
        try
        {
            verifier.ImportSubjectPublicKeyInfo(senderIdentityKey, out _);
            return verifier;
        }
        catch (CryptographicException)
        {
            verifier.Dispose();
            return null;
        }
    }

    /// <summary>
    /// Whether the sender signed this sealed message (the signature covers the sealed body, so this needs
    /// no sender key): a message under a key we do not hold yet is only worth keeping, and asking its
    /// sender about, if the sender really sent it.
    /// </summary>
    public static bool IsSignedBy(byte[] sealedMessage, string room, DeviceId sender, ECDsa verifier)
    {
        if (!SealedRoomMessage.TryRead(new System.Buffers.ReadOnlySequence<byte>(sealedMessage), out var message, out _))
        {
            return false;
        }
        try
        {
            return verifier.VerifyData((byte[])[.. Associated(room, sender), .. message.SignedBody()], message.Signature, HashAlgorithmName.SHA256);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>As above, with the sender's key from <see cref="TryVerifier"/>.</summary>
    public static bool TryOpenMessage(byte[] sealedMessage, string room, DeviceId sender, ECDsa verifier, HeldSenderKey key, out byte[] plaintext)
    {
        plaintext = [];
        if (!SealedRoomMessage.TryRead(new System.Buffers.ReadOnlySequence<byte>(sealedMessage), out var message, out _))
        {
            return false;
        }
        try
        {
            if (!verifier.VerifyData((byte[])[.. Associated(room, sender), .. message.SignedBody()], message.Signature, HashAlgorithmName.SHA256)
                || !key.TryMessageKey(message.Counter, out var messageKey))
            {
                return false;
            }
            plaintext = new byte[message.Ciphertext.Length];
            using var aes = new AesGcm(messageKey, SealedRoomMessage.TagSize);
            aes.Decrypt(Nonce(message.KeyId, message.Counter), message.Ciphertext, message.Tag, plaintext, Associated(room, sender));
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or PlatformNotSupportedException)
        {
            plaintext = [];
            return false;
        }
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
