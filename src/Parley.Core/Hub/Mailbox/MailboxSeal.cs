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
/// What an item is for (<see cref="SealPurpose"/>) is the HKDF info, so an item sealed for one
/// purpose derives another key under the other and does not open: a room's sender key handed to a
/// member cannot be passed off as mail from its sender, nor mail as a sender key.
/// </summary>
public static class MailboxSeal
{
    /// <summary>Largest sealed item: a 64 KiB chat message plus keys, nonce, tag and signature.</summary>
    public const int MaxItemSize = ProtocolLimits.MessageIdSize + 8 + Chat.ChatMessage.MaxTextBytes + 1024;

    // Mail keeps the label it always had, so mail held at a hub across an upgrade still opens.
    private static readonly byte[] MailInfo = Encoding.ASCII.GetBytes("parley-mailbox-v1");
    private static readonly byte[] RoomKeyInfo = Encoding.ASCII.GetBytes("parley-room-key-v1");
    private static readonly byte[] MailActionInfo = Encoding.ASCII.GetBytes("parley-mailbox-action-v1");
    private static readonly byte[] MailAttachmentInfo = Encoding.ASCII.GetBytes("parley-mailbox-attachment-v1");
    private static readonly byte[] RoomCallKeyInfo = Encoding.ASCII.GetBytes("parley-room-call-key-v1");

    public static byte[] Seal(NodeIdentity sender, DeviceId recipient, byte[] recipientAgreementKey, ReadOnlySpan<byte> plaintext, SealPurpose purpose)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var theirs = ECDiffieHellman.Create();
        theirs.ImportSubjectPublicKeyInfo(recipientAgreementKey, out _);
        var ephemeralKey = ephemeral.ExportSubjectPublicKeyInfo();
        var key = DeriveKey(ephemeral.DeriveRawSecretAgreement(theirs.PublicKey), ephemeralKey, recipientAgreementKey, purpose);
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

    /// <summary>Opens an item sealed to us for <paramref name="purpose"/>; false (with why) when it is malformed, forged, not for us, or sealed for another purpose.</summary>
    public static bool TryOpen(byte[] item, AgreementKey ours, DeviceId us, SealPurpose purpose, out DeviceId sender, out byte[] plaintext, out string error)
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
            var key = DeriveKey(ours.Key.DeriveRawSecretAgreement(ephemeral.PublicKey), sealedItem.EphemeralKey, ours.PublicKey, purpose);
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

    private static byte[] DeriveKey(byte[] shared, byte[] ephemeralKey, byte[] recipientKey, SealPurpose purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, salt: [.. ephemeralKey, .. recipientKey], info: purpose switch
        {
            SealPurpose.Mail => MailInfo,
            SealPurpose.RoomKey => RoomKeyInfo,
            SealPurpose.MailAction => MailActionInfo,
            SealPurpose.MailAttachment => MailAttachmentInfo,
            SealPurpose.RoomCallKey => RoomCallKeyInfo,
            _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
        });

    private static byte[] AssociatedData(DeviceId sender, DeviceId recipient) => [.. sender.Bytes, .. recipient.Bytes];
}

/// <summary>What a sealed item carries; part of its key derivation, so it opens only for the purpose it was sealed for.</summary>
public enum SealPurpose
{
    /// <summary>A chat message left at the hub's mailbox for an offline contact (HKDF info "parley-mailbox-v1").</summary>
    Mail,

    /// <summary>A room sender key handed to one member (<see cref="Rooms.SenderKeyItem"/>; HKDF info "parley-room-key-v1").</summary>
    RoomKey,

    /// <summary>A <see cref="Chat.ChatAction"/> (reply, edit, delete, reaction) left at the mailbox (HKDF info "parley-mailbox-action-v1").</summary>
    MailAction,

    /// <summary>An <see cref="Attachments.AttachmentRef"/> for a contact, its bytes at the hub's blob store (HKDF info "parley-mailbox-attachment-v1").</summary>
    MailAttachment,

    /// <summary>A participant's end-to-end media key for a room call (<see cref="RoomCalls.RoomCallFrameKey"/>; HKDF info "parley-room-call-key-v1").</summary>
    RoomCallKey,
}
