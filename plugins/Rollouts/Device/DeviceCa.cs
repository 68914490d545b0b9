using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Jobs;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Device;

/// <summary>
/// The plugin's device certificate authority: an ECDSA P-256 key generated at first start, stored in
/// <c>rollouts_device_cas</c> encrypted by <see cref="KeyProtector"/>. It issues short-lived device
/// certificates (client auth) and the device listener's own server certificate. Every CA row that is
/// not <c>retired</c> is trusted, so a rotation can add a new active CA while the old one still
/// validates the certificates it issued (see the README).
/// </summary>
public sealed class DeviceCa(IDbConnectionFactory db, ILeaseManager leases, KeyProtector protector, RolloutsOptions options,
    TimeProvider clock, ILogger<DeviceCa> logger)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile State? _state;

    private sealed record State(string Id, X509Certificate2 Certificate, ECDsa Key, X509Certificate2Collection Trusted, byte[][] TrustedSubjects);

    public X509Certificate2 Certificate => Current.Certificate;
    public string Id => Current.Id;

    private State Current => _state ?? throw new InvalidOperationException("the device CA is not loaded yet");

    /// <summary>Loads the CA, creating it under a database lease when none exists.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_state is not null) return;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; _state is null; attempt++)
            {
                _state = await LoadAsync(cancellationToken);
                if (_state is not null) break;
                await using (var lease = await leases.TryAcquireAsync("rollouts.device-ca.create", TimeSpan.FromMinutes(1), cancellationToken))
                {
                    if (lease is not null)
                    {
                        _state = await LoadAsync(cancellationToken) ?? await CreateAsync(cancellationToken);
                        break;
                    }
                }
                if (attempt > 200) throw new TimeoutException("another host instance holds the device CA creation lease");
                await Task.Delay(100, cancellationToken);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private sealed class CaRow
    {
        public string Id { get; set; } = "";
        public string State { get; set; } = "";
        public byte[] Certificate { get; set; } = [];
        public byte[] EncryptedKey { get; set; } = [];
        public string KeyId { get; set; } = "";
    }

    private async Task<State?> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<CaRow>(
            "SELECT id AS Id, state AS State, certificate AS Certificate, encrypted_key AS EncryptedKey, key_id AS KeyId FROM rollouts_device_cas WHERE state <> 'retired' ORDER BY id")).ToList();
        var active = rows.LastOrDefault(r => r.State == "active");
        if (active is null) return null;
        if (active.KeyId != protector.KeyId)
            throw new InvalidOperationException($"the device CA key was encrypted with key-encryption key {active.KeyId}, but this host has {protector.KeyId} ({protector.Source}); configure Edgeplane:Plugins:rollouts:CaKeyEncryptionKey as on the other instances");
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(protector.Unprotect(active.EncryptedKey, active.Id), out _);
        var trusted = new X509Certificate2Collection();
        foreach (var row in rows) trusted.Add(X509CertificateLoader.LoadCertificate(row.Certificate));
        var certificate = X509CertificateLoader.LoadCertificate(active.Certificate);
        logger.LogInformation("Device CA {Id} loaded ({Subject}, until {NotAfter:u})", active.Id, certificate.Subject, certificate.NotAfter);
        return new State(active.Id, certificate, key, trusted, trusted.Select(c => c.SubjectName.RawData).ToArray());
    }

    private async Task<State> CreateAsync(CancellationToken cancellationToken)
    {
        var id = Ids.New();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = clock.GetUtcNow();
        var request = new CertificateRequest(new X500DistinguishedName($"CN=Edgeplane Rollouts device CA {id[..10]}, O=Edgeplane"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + options.CaLifetime);
        var der = certificate.Export(X509ContentType.Cert);
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            await connection.ExecuteAsync(
                "INSERT INTO rollouts_device_cas (id, state, certificate, encrypted_key, key_id, not_after, created_at) VALUES (@id, 'active', @der, @encrypted, @keyId, @notAfter, @now)",
                new { id, der, encrypted = protector.Protect(key.ExportPkcs8PrivateKey(), id), keyId = protector.KeyId, notAfter = now + options.CaLifetime, now });
        }
        logger.LogInformation("Device CA {Id} generated; its key is encrypted with the key from {Source}", id, protector.Source);
        key.Dispose();
        return (await LoadAsync(cancellationToken))!;
    }

    /// <summary>A device certificate for <paramref name="publicKey"/>: client auth, <c>CN={deviceId}</c>, a URI SAN naming the device.</summary>
    public X509Certificate2 IssueDevice(PublicKey publicKey, string deviceId, string teamId, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var state = Current;
        var request = new CertificateRequest(new X500DistinguishedName($"CN={deviceId}, OU={teamId}, O=Edgeplane Rollouts device"), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | (IsRsa(publicKey) ? X509KeyUsageFlags.KeyEncipherment : 0), true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(state.Certificate, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri($"urn:edgeplane:rollouts:device:{deviceId}"));
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var end = notAfter > state.Certificate.NotAfter ? new DateTimeOffset(state.Certificate.NotAfter) : notAfter;
        return request.Create(state.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(state.Key), notBefore, end, serial);
    }

    /// <summary>The device listener's certificate: server auth for 127.0.0.1, localhost and the configured names.</summary>
    public X509Certificate2 IssueServer(IPAddress address, IEnumerable<string> names)
    {
        var state = Current;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=Edgeplane Rollouts device API"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(state.Certificate, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        if (!address.Equals(IPAddress.Loopback) && !address.Equals(IPAddress.Any)) san.AddIpAddress(address);
        san.AddDnsName("localhost");
        foreach (var name in names) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        var now = clock.GetUtcNow();
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(state.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(state.Key), now.AddMinutes(-5), now.AddDays(90), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>What the TLS layer accepts: a chain to a trusted device CA, or a self-signed bootstrap certificate (Enroll only).</summary>
    public bool ValidateClient(X509Certificate2 certificate)
    {
        if (IsBootstrap(certificate))
            return certificate.NotBefore.ToUniversalTime() <= clock.GetUtcNow().UtcDateTime.AddMinutes(5);
        var state = _state;
        if (state is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(state.Trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = clock.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }

    /// <summary>A self-signed certificate (subject = issuer) that the device made for its own key before it has a real one.</summary>
    public static bool IsBootstrap(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private static bool IsRsa(PublicKey key) => key.Oid.Value == "1.2.840.113549.1.1.1";

    public static string SerialOf(X509Certificate2 certificate) => certificate.SerialNumber.ToLowerInvariant();
}
