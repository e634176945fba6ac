using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub;

/// <summary>
/// What a node publishes in a hub's directory: its name and agreement key, signed with its
/// identity key. The identity public key travels along so anyone can check both that it hashes
/// to the device ID and that it made the signature; the hub can store and serve entries but
/// cannot forge one.
/// <code>
/// identity SPKI length u16 | identity SPKI | name length u8 | name | agreement SPKI length u16 | agreement SPKI
/// | issued at i64 (Unix ms) | signature length u8 | signature (ECDSA P-256, IEEE P1363, 64 bytes)
/// </code>
/// The signature covers "parley-directory-v1", the device ID, and every field before it.
/// </summary>
public sealed record DirectoryEntry(byte[] IdentityKey, string Name, byte[] AgreementPublicKey, DateTimeOffset IssuedAt, byte[] Signature)
{
    public const int MaxKeyBytes = 256;
    public const int MaxSize = 2 + MaxKeyBytes + 1 + ProtocolLimits.MaxNameBytes + 2 + MaxKeyBytes + 8 + 1 + 128;
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("parley-directory-v1");

    public DeviceId DeviceId => new(SHA256.HashData(IdentityKey));

    public static DirectoryEntry Create(NodeIdentity identity, string name, byte[] agreementPublicKey, DateTimeOffset issuedAt)
    {
        var identityKey = identity.Certificate.PublicKey.ExportSubjectPublicKeyInfo();
        using var signer = identity.Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the identity has no private key");
        var unsigned = new DirectoryEntry(identityKey, name, agreementPublicKey, issuedAt, []);
        return unsigned with { Signature = signer.SignData(unsigned.SignedBytes(), HashAlgorithmName.SHA256) };
    }

    /// <summary>True when the identity key hashes to the device ID and made the signature over this content.</summary>
    public bool Verify()
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(IdentityKey, out _);
            using var agreement = ECDiffieHellman.Create();
            agreement.ImportSubjectPublicKeyInfo(AgreementPublicKey, out _);
            return key.KeySize == 256 && agreement.KeySize == 256 && key.VerifyData(SignedBytes(), Signature, HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException or ArgumentException)
        {
            // Found by fuzzing: a mangled curve OID surfaces as "not supported on this platform".
            return false;
        }
    }

    private byte[] SignedBytes()
    {
        var body = EncodeBody();
        return [.. Domain, .. DeviceId.Bytes, .. body];
    }

    private byte[] EncodeBody()
    {
        var name = PayloadText.Truncate(Name, ProtocolLimits.MaxNameBytes);
        var buffer = new byte[2 + IdentityKey.Length + 1 + name.Length + 2 + AgreementPublicKey.Length + 8];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)IdentityKey.Length);
        IdentityKey.CopyTo(span[2..]);
        var at = 2 + IdentityKey.Length;
        span[at] = (byte)name.Length;
        name.CopyTo(span[(at + 1)..]);
        at += 1 + name.Length;
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)AgreementPublicKey.Length);
        AgreementPublicKey.CopyTo(span[(at + 2)..]);
        at += 2 + AgreementPublicKey.Length;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], IssuedAt.ToUnixTimeMilliseconds());
        return buffer;
    }

    public byte[] Encode() => [.. EncodeBody(), (byte)Signature.Length, .. Signature];

    public static bool TryDecode(ref SequenceReader<byte> reader, out DirectoryEntry? entry)
    {
        entry = null;
        if (!TryReadBlob16(ref reader, out var identityKey) || !reader.TryRead(out var nameLength) || nameLength > ProtocolLimits.MaxNameBytes
            || reader.Remaining < nameLength)
        {
            return false;
        }
        var nameBytes = reader.UnreadSequence.Slice(0, nameLength).ToArray();
        reader.Advance(nameLength);
        if (!PayloadText.TryDecode(nameBytes, out var name) || !TryReadBlob16(ref reader, out var agreement)
            || !reader.TryReadBigEndian(out long issued) || !reader.TryRead(out var signatureLength) || reader.Remaining < signatureLength
            || issued < 0 || issued > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }
        var signature = reader.UnreadSequence.Slice(0, signatureLength).ToArray();
        reader.Advance(signatureLength);
        entry = new DirectoryEntry(identityKey, name, agreement, DateTimeOffset.FromUnixTimeMilliseconds(issued), signature);
        return true;
    }

    private static bool TryReadBlob16(ref SequenceReader<byte> reader, out byte[] blob)
    {
        blob = [];
        if (!reader.TryReadBigEndian(out short raw) || (ushort)raw > MaxKeyBytes || reader.Remaining < (ushort)raw)
        {
            return false;
        }
        blob = reader.UnreadSequence.Slice(0, (ushort)raw).ToArray();
        reader.Advance((ushort)raw);
        return true;
    }
}
