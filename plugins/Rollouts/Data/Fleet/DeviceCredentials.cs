using System.Data.Common;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Edgeplane.Plugins.Rollouts.Data.Ca;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>The device API's side of a device: enrollment with a token, the certificate a request authenticates with, renewal.</summary>
public sealed class DeviceCredentials(IDbConnectionFactory db, DeviceCa ca, RolloutsOptions options, TimeProvider clock)
{
    /// <summary>Consumes one use of the token and creates the device with its first certificate, in one transaction.</summary>
    public async Task<(DeviceRow Device, X509Certificate2 Certificate)> EnrollAsync(string token, string name, IReadOnlyDictionary<string, string> labels,
        string deviceType, PublicKey publicKey, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<EnrollTokenRow>(
            $"SELECT {EnrollTokenStore.Columns} FROM rollouts_enroll_tokens WHERE token_hash = @hash", new { hash = Secrets.Hash(token) }, tx);
        if (row is null) throw new RpcException(GrpcStatus.Unauthenticated, "the enrollment token is not valid");
        var state = row.StateAt(now);
        if (state != "active") throw new RpcException(GrpcStatus.PermissionDenied, $"the enrollment token is {state}");
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_devices WHERE team_id = @TeamId AND name = @name", new { row.TeamId, name }, tx) > 0)
            throw new RpcException(GrpcStatus.AlreadyExists, $"a device named '{name}' is already enrolled; an operator must delete it before it enrolls again");
        var used = await connection.ExecuteAsync(
            "UPDATE rollouts_enroll_tokens SET uses = uses + 1, last_used_at = @now WHERE id = @Id AND revoked_at IS NULL AND expires_at > @now AND (max_uses IS NULL OR uses < max_uses)",
            new { row.Id, now }, tx);
        if (used != 1) throw new RpcException(GrpcStatus.PermissionDenied, "the enrollment token is exhausted");

        var merged = Json.Map(row.Labels);
        foreach (var (k, v) in labels) merged[k] = v;
        var device = new DeviceRow
        {
            Id = Ids.New(now), TeamId = row.TeamId, Name = name, DeviceType = deviceType, Labels = Json.Write(merged), HealthStatus = "unknown",
            EnrollTokenId = row.Id, EnrolledAt = now,
        };
        var certificate = ca.IssueDevice(publicKey, device.Id, device.TeamId, now.AddMinutes(-5), now + options.CertificateLifetime);
        device.CertificateSerial = DeviceCa.SerialOf(certificate);
        device.CertificateNotAfter = certificate.NotAfter.ToUniversalTime();
        try
        {
            await connection.ExecuteAsync(
                "INSERT INTO rollouts_devices (id, team_id, name, device_type, labels, attributes, software, inventory_hash, health_status, health, agent_version, " +
                "enroll_token_id, enrolled_at, check_ins, certificate_serial, certificate_not_after) VALUES (@Id, @TeamId, @Name, @DeviceType, @Labels, '{}', '[]', '', " +
                "@HealthStatus, '{}', '', @EnrollTokenId, @EnrolledAt, 0, @CertificateSerial, @CertificateNotAfter)", device, tx);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            throw new RpcException(GrpcStatus.AlreadyExists, $"a device named '{name}' is already enrolled");
        }
        await InsertCertificateAsync(connection, tx, device, certificate, now);
        if (row.GroupId is not null)
            await connection.ExecuteAsync(
                "INSERT INTO rollouts_group_members (group_id, device_id, added_at) SELECT id, @device, @now FROM rollouts_groups WHERE id = @group AND team_id = @team",
                new { group = row.GroupId, device = device.Id, team = device.TeamId, now }, tx);
        await DeviceHistory.AddEventAsync(connection, tx, device.Id, "enrolled", new { token = row.Id, tokenName = row.Name, serial = device.CertificateSerial, group = row.GroupId, labels = merged }, now);
        await tx.CommitAsync(cancellationToken);
        return (device, certificate);
    }

    private async Task InsertCertificateAsync(DbConnection connection, DbTransaction tx, DeviceRow device, X509Certificate2 certificate, DateTimeOffset now) =>
        await connection.ExecuteAsync(
            "INSERT INTO rollouts_certificates (serial, device_id, team_id, ca_id, not_before, not_after, created_at) VALUES (@serial, @device, @team, @caId, @notBefore, @notAfter, @now)",
            new
            {
                serial = DeviceCa.SerialOf(certificate), device = device.Id, team = device.TeamId, caId = ca.Id,
                notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), now,
            }, tx);

    /// <summary>The device behind a certificate serial, or null when the certificate is revoked, unknown, expired or its device deleted.</summary>
    public async Task<DeviceIdentity?> AuthenticateAsync(string serial, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        // One query per call: the certificate, its device, and what an unchanged check-in needs to know.
        var found = await connection.QuerySingleOrDefaultAsync<AuthRow>(
            "SELECT d.id AS DeviceId, d.team_id AS TeamId, d.name AS Name, c.not_after AS NotAfter, d.inventory_hash AS InventoryHash, " +
            "d.health_status AS HealthStatus, d.last_history_at AS LastHistoryAt, " +
            "(SELECT COUNT(*) FROM rollouts_log_requests l WHERE l.device_id = d.id AND l.state IN ('requested', 'delivered')) AS PendingLogs " +
            "FROM rollouts_certificates c JOIN rollouts_devices d ON d.id = c.device_id WHERE c.serial = @serial AND c.revoked_at IS NULL", new { serial });
        if (found is null || found.NotAfter <= clock.GetUtcNow()) return null;
        return new DeviceIdentity(found.DeviceId, found.TeamId, found.Name, serial, found.NotAfter)
        {
            InventoryHash = found.InventoryHash, HealthStatus = found.HealthStatus, LastHistoryAt = found.LastHistoryAt, PendingLogs = found.PendingLogs,
        };
    }

    private sealed class AuthRow
    {
        public string DeviceId { get; set; } = "";
        public string TeamId { get; set; } = "";
        public string Name { get; set; } = "";
        public DateTimeOffset NotAfter { get; set; }
        public string InventoryHash { get; set; } = "";
        public string HealthStatus { get; set; } = "";
        public DateTimeOffset? LastHistoryAt { get; set; }
        public long PendingLogs { get; set; }
    }

    public async Task<X509Certificate2> RenewAsync(DeviceIdentity device, PublicKey publicKey, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var row = new DeviceRow { Id = device.DeviceId, TeamId = device.TeamId };
        var certificate = ca.IssueDevice(publicKey, device.DeviceId, device.TeamId, now.AddMinutes(-5), now + options.CertificateLifetime);
        await InsertCertificateAsync(connection, tx, row, certificate, now);
        var serial = DeviceCa.SerialOf(certificate);
        await connection.ExecuteAsync("UPDATE rollouts_devices SET certificate_serial = @serial, certificate_not_after = @notAfter WHERE id = @id",
            new { serial, notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), id = device.DeviceId }, tx);
        await DeviceHistory.AddEventAsync(connection, tx, device.DeviceId, "certificate_renewed", new { previous = device.Serial, serial }, now);
        await tx.CommitAsync(cancellationToken);
        return certificate;
    }
}
