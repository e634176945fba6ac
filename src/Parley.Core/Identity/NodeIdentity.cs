using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parley.Core.Identity;

/// <summary>
/// A node's (or hub's) long-term identity: an ECDSA P-256 key and a self-signed certificate,
/// kept as PEM files readable by the owner only. The device ID is derived from the certificate.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    public const string KeyFileName = "identity.key";
    public const string CertificateFileName = "identity.crt";

    private NodeIdentity(X509Certificate2 certificate)
    {
        Certificate = certificate;
        DeviceId = DeviceId.FromCertificate(certificate);
    }

    public X509Certificate2 Certificate { get; }

    public DeviceId DeviceId { get; }

    /// <summary>Loads the identity from <paramref name="home"/>, creating it on first use.</summary>
    public static NodeIdentity LoadOrCreate(string home)
    {
        OwnerOnly.CreateFolder(home);
        var keyPath = Path.Combine(home, KeyFileName);
        var certPath = Path.Combine(home, CertificateFileName);
        if (!File.Exists(keyPath) || !File.Exists(certPath))
        {
            Create(keyPath, certPath);
        }
        return new NodeIdentity(X509Certificate2.CreateFromPemFile(certPath, keyPath));
    }

    /// <summary>
    /// Loads an identity kept in one file (certificate and key, PEM), creating it mode 0600 if the file
    /// does not exist: the identity every hub of a cluster shares, copied to each hub's machine. Two hubs
    /// creating it at once both end up with the one that was written first.
    /// </summary>
    public static NodeIdentity LoadOrCreateFile(string path)
    {
        if (!File.Exists(path))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var cert = SelfSign(key);
            var temp = $"{path}.{Environment.ProcessId}.new";
            WriteOwnerOnly(temp, cert.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp);
            }
        }
        return new NodeIdentity(X509Certificate2.CreateFromPemFile(path));
    }

    /// <summary>An identity that lives only in memory, for tests and benchmarks.</summary>
    public static NodeIdentity CreateEphemeral()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = SelfSign(key);
        return new NodeIdentity(X509Certificate2.CreateFromPem(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()));
    }

    private static void Create(string keyPath, string certPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = SelfSign(key);
        WriteOwnerOnly(keyPath, key.ExportPkcs8PrivateKeyPem());
        WriteOwnerOnly(certPath, cert.ExportCertificatePem());
    }

    private static X509Certificate2 SelfSign(ECDsa key)
    {
        var request = new CertificateRequest("CN=parley", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        // Trust comes from pinning the device ID, not from validity dates, so the certificate never expires in practice.
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
    }

    /// <summary>Writes a file that only its owner can read (mode 0600), replacing it atomically.</summary>
    public static void WriteOwnerOnly(string path, string contents)
    {
        var temp = path + ".tmp";
        // A leftover temp file would keep its old mode: start from a new one, created 0600.
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly.FileMode;
        }
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public void Dispose() => Certificate.Dispose();
}
