using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Tests.Support;

/// <summary>A simulated device's key, CSR and certificates as PEM files, for the grpc-js client and curl.</summary>
public sealed class DeviceFiles
{
    public DeviceFiles(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        Name = name;
        KeyPath = Path.Combine(directory, $"{name}.key.pem");
        CertPath = Path.Combine(directory, $"{name}.cert.pem");
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", Key, HashAlgorithmName.SHA256);
        Csr = request.CreateSigningRequest();
        var now = DateTimeOffset.UtcNow;
        using var bootstrap = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
        File.WriteAllText(KeyPath, Key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CertPath, bootstrap.ExportCertificatePem());
    }

    public string Name { get; }
    public ECDsa Key { get; }
    public byte[] Csr { get; }
    public string KeyPath { get; }
    /// <summary>The bootstrap certificate until <see cref="Enrolled"/> writes the issued one.</summary>
    public string CertPath { get; }
    public string? DeviceId { get; private set; }
    public X509Certificate2? Certificate { get; private set; }

    public object EnrollRequest(string token, object? labels = null, string deviceType = "sim") =>
        new { token, name = Name, csr = Convert.ToBase64String(Csr), labels = labels ?? new { }, deviceType };

    /// <summary>Keeps the certificate from a successful Enroll or Renew reply (grpc-js returns bytes as base64).</summary>
    public void Enrolled(JsonObject reply)
    {
        var response = reply["response"]!;
        DeviceId ??= (string?)response["deviceId"];
        var der = Convert.FromBase64String((string)response["certificate"]!["certificate"]!);
        Certificate = X509CertificateLoader.LoadCertificate(der);
        File.WriteAllText(CertPath, Certificate.ExportCertificatePem());
    }

    /// <summary>The certificate with its key, for a .NET client.</summary>
    public X509Certificate2 ClientCertificate()
    {
        using var withKey = X509Certificate2.CreateFromPemFile(CertPath, KeyPath);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
