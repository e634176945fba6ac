using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Mailbox;

/// <summary>
/// Seals a message for a recipient who is offline, so the hub can hold it but not read it:
/// ECDH between a fresh ephemeral P-256 key and the recipient's published agreement key, HKDF-SHA256
/// to an AES-256-GCM key, and the sender's identity signature over the result so the recipient
/// knows who sent it.
/// The layout is <see cref="SealedItem"/>'s. The AES-GCM associated data binds sender and recipient device IDs; the signature covers every byte before it.
/// </summary>
public static class MailboxSeal
{
    /// <summary>Largest sealed item: a 64 KiB chat message plus keys, nonce, tag and signature.</summary>
    public const int MaxItemSize = ProtocolLimits.MessageIdSize + 8 + Chat.ChatMessage.MaxTextBytes + 1024;
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("parley-mailbox-v1");

    public static byte[] Seal(NodeIdentity sender, DeviceId recipient, byte[] recipientAgreementKey, ReadOnlySpan<byte> plaintext)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var theirs = ECDiffieHellman.Create();
        theirs.ImportSubjectPublicKeyInfo(recipientAgreementKey, out _);
        var ephemeralKey = ephemeral.ExportSubjectPublicKeyInfo();
        var key = DeriveKey(ephemeral.DeriveRawSecretAgreement(theirs.PublicKey), ephemeralKey, recipientAgreementKey);
        var nonce = RandomNumberGenerator.GetBytes(SealedItem.NonceSize);
        var tag = new byte[SealedItem.TagSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key, SealedItem.TagSize))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(DeviceId.FromCertificate(sender.Certificate), recipient));
        }
        var unsigned = new SealedItem(sender.Certificate.PublicKey.ExportSubjectPublicKeyInfo(), ephemeralKey, nonce, tag, ciphertext, []);
        using var signer = sender.Certificate.GetECDsaPrivateKey()!;
        return (unsigned with { Signature = signer.SignData(unsigned.SignedBytes(), HashAlgorithmName.SHA256) }).ToArray();
    }

    /// <summary>Opens an item sealed to us; false (with why) when it is malformed, forged, or not for us.</summary>
    public static bool TryOpen(byte[] item, AgreementKey ours, DeviceId us, out DeviceId sender, out byte[] plaintext, out string error)
    {
        sender = default;
        plaintext = [];
        if (!WireMessage.TryRead<SealedItem>(item, out var sealedItem, out var malformed))
        {
            error = "the sealed message is malformed: " + malformed;
            return false;
        }
        try
        {
            error = "";
            using var verifier = ECDsa.Create();
            verifier.ImportSubjectPublicKeyInfo(sealedItem.SenderKey, out _);
            if (!verifier.VerifyData(sealedItem.SignedBytes(), sealedItem.Signature, HashAlgorithmName.SHA256))
            {
                error = "the sender's signature does not check out";
                return false;
            }
            sender = new DeviceId(SHA256.HashData(sealedItem.SenderKey));
            using var ephemeral = ECDiffieHellman.Create();
            ephemeral.ImportSubjectPublicKeyInfo(sealedItem.EphemeralKey, out _);
            var key = DeriveKey(ours.Key.DeriveRawSecretAgreement(ephemeral.PublicKey), sealedItem.EphemeralKey, ours.PublicKey);
            plaintext = new byte[sealedItem.Ciphertext.Length];
            using var aes = new AesGcm(key, SealedItem.TagSize);
            aes.Decrypt(sealedItem.Nonce, sealedItem.Ciphertext, sealedItem.Tag, plaintext, AssociatedData(sender, us));
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or PlatformNotSupportedException)
        {
            error = "the sealed message is malformed or not for us: " + e.Message;
            return false;
        }
    }

    private static byte[] DeriveKey(byte[] shared, byte[] ephemeralKey, byte[] recipientKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, salt: [.. ephemeralKey, .. recipientKey], info: Info);

    private static byte[] AssociatedData(DeviceId sender, DeviceId recipient) => [.. sender.Bytes, .. recipient.Bytes];
}
