using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edgeplane.Rollouts.Agent;

/// <summary>The device's key and certificates on disk: <c>key.pem</c> (mode 0600), <c>cert.pem</c>, <c>ca.pem</c>, <c>device.txt</c>.</summary>
public sealed class Credentials(string directory)
{
    public string KeyPath => Path.Combine(directory, "key.pem");
    public string CertificatePath => Path.Combine(directory, "cert.pem");
    public string DevicePath => Path.Combine(directory, "device.txt");

    public bool Enrolled => File.Exists(CertificatePath) && File.Exists(KeyPath);

    /// <summary>A new P-256 key, a PKCS#10 request for it and a self-signed bootstrap certificate to present at enrollment.</summary>
    public static (ECDsa Key, byte[] Csr, X509Certificate2 Bootstrap) NewKey(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var csr = request.CreateSigningRequest();
        var now = DateTimeOffset.UtcNow;
        // CreateSelfSigned binds the key already; the PKCS#12 round trip makes it usable by the TLS stack.
        using var bootstrap = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
        return (key, csr, X509CertificateLoader.LoadPkcs12(bootstrap.Export(X509ContentType.Pkcs12), null));
    }

    public void Save(ECDsa key, byte[] certificateDer, string deviceLine)
    {
        Directory.CreateDirectory(directory);
        WriteAtomically(KeyPath, key.ExportPkcs8PrivateKeyPem(), secret: true);
        WriteAtomically(CertificatePath, PemEncoding.WriteString("CERTIFICATE", certificateDer), secret: false);
        WriteAtomically(DevicePath, deviceLine, secret: false);
    }

    public X509Certificate2 Load()
    {
        using var certificate = X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private static void WriteAtomically(string path, string text, bool secret)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(text);
        File.Move(temp, path, overwrite: true);
    }
}
