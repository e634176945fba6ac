using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub;

/// <summary>
/// Seals a message for a recipient who is offline, so the hub can hold it but not read it:
/// ECDH between a fresh ephemeral P-256 key and the recipient's published agreement key, HKDF-SHA256
/// to an AES-256-GCM key, and the sender's identity signature over the result so the recipient
/// knows who sent it.
/// <code>
/// sender identity SPKI length u16 | SPKI | ephemeral SPKI length u16 | SPKI | nonce (12) | tag (16)
/// | ciphertext length u32 | ciphertext | signature length u8 | signature (ECDSA P-256, P1363)
/// </code>
/// The AES-GCM associated data binds sender and recipient device IDs; the signature covers every byte before it.
/// </summary>
public static class MailboxSeal
{
    /// <summary>Largest sealed item: a 64 KiB chat message plus keys, nonce, tag and signature.</summary>
    public const int MaxItemSize = ProtocolLimits.MessageIdSize + 8 + ProtocolLimits.MaxChatTextBytes + 1024;
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("parley-mailbox-v1");

    public static byte[] Seal(NodeIdentity sender, DeviceId recipient, byte[] recipientAgreementKey, ReadOnlySpan<byte> plaintext)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var theirs = ECDiffieHellman.Create();
        theirs.ImportSubjectPublicKeyInfo(recipientAgreementKey, out _);
        var ephemeralKey = ephemeral.ExportSubjectPublicKeyInfo();
        var key = DeriveKey(ephemeral.DeriveRawSecretAgreement(theirs.PublicKey), ephemeralKey, recipientAgreementKey);
        var senderKey = sender.Certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var nonce = RandomNumberGenerator.GetBytes(12);
        var tag = new byte[16];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(DeviceId.FromCertificate(sender.Certificate), recipient));
        }
        var body = new List<byte>(senderKey.Length + ephemeralKey.Length + ciphertext.Length + 64);
        AppendBlob16(body, senderKey);
        AppendBlob16(body, ephemeralKey);
        body.AddRange(nonce);
        body.AddRange(tag);
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)ciphertext.Length);
        body.AddRange(length);
        body.AddRange(ciphertext);
        using var signer = sender.Certificate.GetECDsaPrivateKey()!;
        var signature = signer.SignData(body.ToArray(), HashAlgorithmName.SHA256);
        body.Add((byte)signature.Length);
        body.AddRange(signature);
        return [.. body];
    }

    /// <summary>Opens an item sealed to us; false (with why) when it is malformed, forged, or not for us.</summary>
    public static bool TryOpen(byte[] item, AgreementKey ours, DeviceId us, out DeviceId sender, out byte[] plaintext, out string error)
    {
        sender = default;
        plaintext = [];
        try
        {
            var at = 0;
            var senderKey = ReadBlob16(item, ref at);
            var ephemeralKey = ReadBlob16(item, ref at);
            var nonce = Take(item, ref at, 12);
            var tag = Take(item, ref at, 16);
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(Take(item, ref at, 4));
            if (length < 0 || length > MaxItemSize)
            {
                throw new FormatException("ciphertext length out of range");
            }
            var ciphertext = Take(item, ref at, length);
            var signedLength = at;
            var signatureLength = Take(item, ref at, 1)[0];
            var signature = Take(item, ref at, signatureLength);
            if (at != item.Length)
            {
                throw new FormatException("bytes after the signature");
            }
            error = "";
            using var verifier = ECDsa.Create();
            verifier.ImportSubjectPublicKeyInfo(senderKey, out _);
            if (!verifier.VerifyData(item.AsSpan(0, signedLength), signature, HashAlgorithmName.SHA256))
            {
                error = "the sender's signature does not check out";
                return false;
            }
            sender = new DeviceId(SHA256.HashData(senderKey));
            using var ephemeral = ECDiffieHellman.Create();
            ephemeral.ImportSubjectPublicKeyInfo(ephemeralKey, out _);
            var key = DeriveKey(ours.Key.DeriveRawSecretAgreement(ephemeral.PublicKey), ephemeralKey, ours.PublicKey);
            plaintext = new byte[ciphertext.Length];
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, AssociatedData(sender, us));
            return true;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or IndexOutOfRangeException or ArgumentException
            or PlatformNotSupportedException)
        {
            error = "the sealed message is malformed or not for us: " + e.Message;
            return false;
        }
    }

    private static byte[] DeriveKey(byte[] shared, byte[] ephemeralKey, byte[] recipientKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, salt: [.. ephemeralKey, .. recipientKey], info: Info);

    private static byte[] AssociatedData(DeviceId sender, DeviceId recipient) => [.. sender.Bytes, .. recipient.Bytes];

    private static void AppendBlob16(List<byte> into, byte[] blob)
    {
        into.Add((byte)(blob.Length >> 8));
        into.Add((byte)blob.Length);
        into.AddRange(blob);
    }

    private static byte[] ReadBlob16(byte[] item, ref int at)
    {
        var header = Take(item, ref at, 2);
        var length = (header[0] << 8) | header[1];
        if (length > 512)
        {
            throw new FormatException("key too long");
        }
        return Take(item, ref at, length);
    }

    private static byte[] Take(byte[] item, ref int at, int count)
    {
        if (count < 0 || at + count > item.Length)
        {
            throw new FormatException("truncated");
        }
        var slice = item[at..(at + count)];
        at += count;
        return slice;
    }
}
