using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// The signature on a room statement (<see cref="RoomPolicy"/>, <see cref="RoomInvite"/>): ECDSA P-256
/// by the signer's identity key over a domain tag and the statement's body. The identity public key
/// travels with the statement (as in a directory entry), so the hub and every member check it alone:
/// the key must hash to the signer's device ID and have made the signature. Nobody but the signer,
/// the hub included, can make one.
/// <code>
/// signer: identity SPKI length u16 | identity SPKI | signature length u8 | signature (IEEE P1363)
/// </code>
/// </summary>
internal static class RoomSigning
{
    public const int MaxKeyBytes = 256;

    /// <summary>The signer's fields at their longest.</summary>
    public const int MaxSize = 2 + MaxKeyBytes + 1 + byte.MaxValue;

    public static (byte[] Key, byte[] Signature) Sign(NodeIdentity signer, string domain, ReadOnlySpan<byte> body)
    {
        using var key = signer.Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the identity has no private key");
        return (signer.Certificate.PublicKey.ExportSubjectPublicKeyInfo(), key.SignData(Signed(domain, body), HashAlgorithmName.SHA256));
    }

    /// <summary>True when <paramref name="identityKey"/> is a P-256 key that made <paramref name="signature"/> over the body.</summary>
    public static bool Verify(string domain, ReadOnlySpan<byte> body, byte[] identityKey, byte[] signature)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(identityKey, out var read);
            return read == identityKey.Length && key.KeySize == 256 && key.VerifyData(Signed(domain, body), signature, HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The bytes a statement's <paramref name="writeBody"/> writes: what its signature covers (after the domain).</summary>
    public static byte[] Body(Action<IBufferWriter<byte>> writeBody)
    {
        var body = new ArrayBufferWriter<byte>(128);
        writeBody(body);
        return body.WrittenSpan.ToArray();
    }

    public static DeviceId SignerOf(byte[] identityKey) => new(SHA256.HashData(identityKey));

    public static bool TryReadSigner(ref SequenceReader<byte> reader, out byte[] identityKey, out byte[] signature)
    {
        signature = [];
        return reader.TryReadBlob16(MaxKeyBytes, out identityKey) && identityKey.Length > 0 && reader.TryReadBlob8(out signature);
    }

    public static void WriteSigner(IBufferWriter<byte> output, byte[] identityKey, byte[] signature)
    {
        output.WriteBlob16(identityKey);
        output.WriteBlob8(signature);
    }

    private static byte[] Signed(string domain, ReadOnlySpan<byte> body) => [.. Encoding.ASCII.GetBytes(domain), .. body];
}
