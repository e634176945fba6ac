using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Directory;

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
    : IWireMessage<DirectoryEntry>
{
    public const int MaxKeyBytes = 256;

    /// <summary>Both keys at their longest and room for a 128-byte signature.</summary>
    public static int MaxSize => 2 + MaxKeyBytes + 1 + ProtocolLimits.MaxNameBytes + 2 + MaxKeyBytes + 8 + 1 + 128;
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
        var body = new ArrayBufferWriter<byte>(256);
        WriteBody(body);
        return [.. Domain, .. DeviceId.Bytes, .. body.WrittenSpan];
    }

    private void WriteBody(IBufferWriter<byte> output)
    {
        output.WriteBlob16(IdentityKey);
        output.WriteText8(Name, ProtocolLimits.MaxNameBytes);
        output.WriteBlob16(AgreementPublicKey);
        output.WriteUnixMs(IssuedAt);
    }

    public void Write(IBufferWriter<byte> output)
    {
        WriteBody(output);
        output.WriteBlob8(Signature);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out DirectoryEntry message, out string error)
    {
        var reader = new SequenceReader<byte>(payload);
        if (!TryRead(ref reader, out message, out error))
        {
            return false;
        }
        if (reader.Remaining != 0)
        {
            message = null;
            error = "bytes after the signature";
            return false;
        }
        return true;
    }

    /// <summary>One entry inside a longer payload (a lookup's results), leaving the reader after it.</summary>
    internal static bool TryRead(ref SequenceReader<byte> reader, [MaybeNullWhen(false)] out DirectoryEntry message, out string error)
    {
        message = null;
        if (!reader.TryReadBlob16(MaxKeyBytes, out var identityKey) || !reader.TryReadText8(ProtocolLimits.MaxNameBytes, out var name)
            || !reader.TryReadBlob16(MaxKeyBytes, out var agreement) || !reader.TryReadUnixMs(out var issued)
            || !reader.TryReadBlob8(out var signature))
        {
            error = "malformed directory entry";
            return false;
        }
        message = new DirectoryEntry(identityKey, name, agreement, issued, signature);
        error = "";
        return true;
    }
}
