using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Edgeplane.Abstractions.Jobs;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Data.Ca;

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

    private sealed record State(string Id, X509Certificate2 Certificate, ECDsa Key, X509Certificate2Collection Trusted, byte[][] TrustedSubjects,
        string ServerCaId, X509Certificate2 ServerCa, ECDsa ServerCaKey, IReadOnlyList<CaInfo> All)
    {
        public X509Certificate2? ServerCertificate;
    }

    /// <summary>One CA row as the API shows it.</summary>
    public sealed record CaInfo(string Id, string State, string Subject, string Sha256, DateTimeOffset NotAfter, DateTimeOffset CreatedAt, string Pem);

    /// <summary>The CA that issues device certificates (the newest <c>active</c> one).</summary>
    public X509Certificate2 Certificate => Current.Certificate;
    public string Id => Current.Id;

    /// <summary>
    /// The CA devices pin to verify the listener: the oldest CA that is not retired. It issues the listener's certificate, so
    /// devices given it before a rotation keep verifying the server until the rotation completes.
    /// </summary>
    public X509Certificate2 ServerCa => Current.ServerCa;

    /// <summary>Every CA that is not retired, oldest first.</summary>
    public IReadOnlyList<CaInfo> All => Current.All;

    /// <summary>The listener's certificate, issued by <see cref="ServerCa"/> once per loaded state.</summary>
    public X509Certificate2 ServerCertificate
    {
        get
        {
            var state = Current;
            return state.ServerCertificate ??= IssueServer(state, options.DeviceApi.ParsedAddress(), options.DeviceApi.ServerNameList);
        }
    }

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
        public DateTimeOffset CreatedAt { get; set; }
    }

    private async Task<State?> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<CaRow>(
            "SELECT id AS Id, state AS State, certificate AS Certificate, encrypted_key AS EncryptedKey, key_id AS KeyId, created_at AS CreatedAt FROM rollouts_device_cas WHERE state <> 'retired' ORDER BY id")).ToList();
        var active = rows.LastOrDefault(r => r.State == "active");
        if (active is null) return null;
        if (active.KeyId != protector.KeyId)
            throw new InvalidOperationException($"the device CA key was encrypted with key-encryption key {active.KeyId}, but this host has {protector.KeyId} ({protector.Source}); configure Edgeplane:Plugins:rollouts:CaKeyEncryptionKey as on the other instances");
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(protector.Unprotect(active.EncryptedKey, active.Id), out _);
        var trusted = new X509Certificate2Collection();
        foreach (var row in rows) trusted.Add(X509CertificateLoader.LoadCertificate(row.Certificate));
        var certificate = X509CertificateLoader.LoadCertificate(active.Certificate);
        var server = rows[0];
        var serverKey = key;
        if (server.Id != active.Id)
        {
            serverKey = ECDsa.Create();
            serverKey.ImportPkcs8PrivateKey(protector.Unprotect(server.EncryptedKey, server.Id), out _);
        }
        var all = rows.Select((r, i) => new CaInfo(r.Id, r.State, trusted[i].Subject, trusted[i].GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
            new DateTimeOffset(trusted[i].NotAfter.ToUniversalTime()), r.CreatedAt, trusted[i].ExportCertificatePem())).ToList();
        logger.LogInformation("Device CA {Id} loaded ({Subject}, until {NotAfter:u}); {Trusted} trusted, the listener's certificate from {Server}",
            active.Id, certificate.Subject, certificate.NotAfter, rows.Count, server.Id);
        return new State(active.Id, certificate, key, trusted, trusted.Select(c => c.SubjectName.RawData).ToArray(),
            server.Id, X509CertificateLoader.LoadCertificate(server.Certificate), serverKey, all);
    }

    private async Task<State> CreateAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await db.OpenAsync(cancellationToken))
            await InsertNewAsync(connection, null, cancellationToken);
        return (await LoadAsync(cancellationToken))!;
    }

    /// <summary>Generates a CA key and self-signed certificate and stores it (key sealed) as <c>active</c>; answers its id.</summary>
    private async Task<string> InsertNewAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? tx, CancellationToken cancellationToken)
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
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO rollouts_device_cas (id, state, certificate, encrypted_key, key_id, not_after, created_at) VALUES (@id, 'active', @der, @encrypted, @keyId, @notAfter, @now)",
            new { id, der, encrypted = protector.Protect(key.ExportPkcs8PrivateKey(), id), keyId = protector.KeyId, notAfter = now + options.CaLifetime, now }, tx,
            cancellationToken: cancellationToken));
        logger.LogInformation("Device CA {Id} generated; its key is encrypted with the key from {Source}", id, protector.Source);
        key.Dispose();
        return id;
    }

    /// <summary>Reloads from the database (another instance may have rotated); a no-op when nothing changed.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var ids = string.Join(",", (await connection.QueryAsync<(string Id, string State)>("SELECT id, state FROM rollouts_device_cas WHERE state <> 'retired' ORDER BY id"))
            .Select(r => r.Id + ":" + r.State));
        var loaded = _state is { } s ? string.Join(",", s.All.Select(c => c.Id + ":" + c.State)) : "";
        if (ids == loaded) return;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            _state = await LoadAsync(cancellationToken) ?? _state;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Rotation, step 1: a new CA becomes <c>active</c> (it issues every device certificate from now on); the CAs before it become
    /// <c>trusted</c> (their certificates keep working; the oldest still issues the listener's certificate). Under a database lease.
    /// </summary>
    public async Task<string> RotateAsync(CancellationToken cancellationToken)
    {
        await using var lease = await leases.TryAcquireAsync("rollouts.device-ca.create", TimeSpan.FromMinutes(1), cancellationToken)
            ?? throw new InvalidOperationException("another host instance is changing the device CA; try again");
        string id;
        await using (var connection = await db.OpenAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE rollouts_device_cas SET state = 'trusted' WHERE state = 'active'", transaction: tx, cancellationToken: cancellationToken));
            id = await InsertNewAsync(connection, tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        await RefreshAsync(cancellationToken);
        return id;
    }

    /// <summary>Devices whose current certificate (still valid, not revoked) comes from a CA that is not the active one, per CA.</summary>
    public async Task<Dictionary<string, long>> OutstandingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string CaId, long Count)>(
            "SELECT c.ca_id, COUNT(*) FROM rollouts_devices d JOIN rollouts_certificates c ON c.serial = d.certificate_serial JOIN rollouts_device_cas a ON a.id = c.ca_id " +
            "WHERE a.state = 'trusted' AND c.revoked_at IS NULL AND c.not_after > @now GROUP BY c.ca_id", new { now = clock.GetUtcNow() });
        return rows.ToDictionary(r => r.CaId, r => r.Count);
    }

    /// <summary>
    /// Rotation, step 2: every <c>trusted</c> CA becomes <c>retired</c>: certificates it issued are refused from now on and the
    /// listener's certificate comes from the active CA. Answers the retired ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> RetireTrustedAsync(CancellationToken cancellationToken)
    {
        await using var lease = await leases.TryAcquireAsync("rollouts.device-ca.create", TimeSpan.FromMinutes(1), cancellationToken)
            ?? throw new InvalidOperationException("another host instance is changing the device CA; try again");
        List<string> retired;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            retired = (await connection.QueryAsync<string>("SELECT id FROM rollouts_device_cas WHERE state = 'trusted'")).ToList();
            await connection.ExecuteAsync("UPDATE rollouts_device_cas SET state = 'retired' WHERE state = 'trusted'");
        }
        await RefreshAsync(cancellationToken);
        return retired;
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

    /// <summary>The device listener's certificate: server auth for 127.0.0.1, localhost and the configured names, from <see cref="ServerCa"/>.</summary>
    private X509Certificate2 IssueServer(State state, IPAddress address, IEnumerable<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=Edgeplane Rollouts device API"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(state.ServerCa, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        if (!address.Equals(IPAddress.Loopback) && !address.Equals(IPAddress.Any)) san.AddIpAddress(address);
        san.AddDnsName("localhost");
        foreach (var name in names) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        var now = clock.GetUtcNow();
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(state.ServerCa.SubjectName, X509SignatureGenerator.CreateForECDsa(state.ServerCaKey), now.AddMinutes(-5), now.AddDays(90), serial);
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
