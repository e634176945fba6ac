using System.Security.Cryptography;

namespace Parley.Core.Identity;

/// <summary>
/// A node's ECDH P-256 key for others to encrypt to while it is offline (mailbox), published in
/// the hub directory signed by the identity key. Kept as PKCS#8 PEM, readable by the owner only.
/// </summary>
public sealed class AgreementKey : IDisposable
{
    public const string FileName = "agreement.key";

    private AgreementKey(ECDiffieHellman key) => Key = key;

    public ECDiffieHellman Key { get; }

    /// <summary>The public half as SubjectPublicKeyInfo (DER).</summary>
    public byte[] PublicKey => Key.ExportSubjectPublicKeyInfo();

    public static AgreementKey LoadOrCreate(string home)
    {
        var path = Path.Combine(home, FileName);
        var key = ECDiffieHellman.Create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            NodeIdentity.WriteOwnerOnly(path, key.ExportPkcs8PrivateKeyPem());
        }
        return new AgreementKey(key);
    }

    public static AgreementKey CreateEphemeral()
    {
        var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return new AgreementKey(key);
    }

    public void Dispose() => Key.Dispose();
}
