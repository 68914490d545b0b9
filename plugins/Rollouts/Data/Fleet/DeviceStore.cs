using System.Data.Common;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Rollouts.Data.Ca;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

public sealed class DeviceRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string DeviceType { get; set; } = "";
    public string Labels { get; set; } = "{}";
    public string Attributes { get; set; } = "{}";
    public string Software { get; set; } = "[]";
    public string InventoryHash { get; set; } = "";
    public string HealthStatus { get; set; } = "";
    public string Health { get; set; } = "{}";
    public string AgentVersion { get; set; } = "";
    public string? EnrollTokenId { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset? LastHistoryAt { get; set; }
    public long CheckIns { get; set; }
    public string? CertificateSerial { get; set; }
    public DateTimeOffset? CertificateNotAfter { get; set; }
}

public sealed record SoftwareItem(string Name, string Version);

public sealed record HealthView(string Status, string Message, long UptimeSeconds, double CpuPercent, double MemoryPercent, double DiskPercent)
{
    public HealthView() : this("unknown", "", 0, 0, 0, 0) { }
}

public sealed record DeviceView(string Id, string Name, string DeviceType, Dictionary<string, string> Labels, Dictionary<string, string> Attributes,
    List<SoftwareItem> Software, string Status, HealthView Health, string AgentVersion, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeenAt,
    long CheckIns, string? CertificateSerial, DateTimeOffset? CertificateNotAfter)
{
    public static DeviceView From(DeviceRow d, DateTimeOffset onlineSince) => new(d.Id, d.Name, d.DeviceType, Json.Map(d.Labels), Json.Map(d.Attributes),
        System.Text.Json.JsonSerializer.Deserialize<List<SoftwareItem>>(d.Software, Json.Options) ?? [], StatusOf(d, onlineSince),
        Json.Read<HealthView>(d.Health), d.AgentVersion, d.EnrolledAt, d.LastSeenAt, d.CheckIns, d.CertificateSerial, d.CertificateNotAfter);

    /// <summary><c>pending</c> (never checked in), <c>online</c> (seen within three check-in intervals) or <c>offline</c>.</summary>
    public static string StatusOf(DeviceRow d, DateTimeOffset onlineSince) =>
        d.LastSeenAt is null ? "pending" : d.LastSeenAt >= onlineSince ? "online" : "offline";
}

public sealed class DeviceEventRow
{
    public string Id { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public string Kind { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Details { get; set; } = "{}";
}

/// <summary>The device a request's client certificate belongs to, with what a check-in compares against.</summary>
public sealed record DeviceIdentity(string DeviceId, string TeamId, string Name, string Serial, DateTimeOffset NotAfter)
{
    public string InventoryHash { get; init; } = "";
    public string HealthStatus { get; init; } = "";
    public DateTimeOffset? LastHistoryAt { get; init; }
    public long PendingLogs { get; init; }
}

public sealed record DeviceFilter(string? Name, string? Status, string? DeviceType, IReadOnlyDictionary<string, string> Labels, string? GroupId);

/// <summary>Devices, their certificates and their history.</summary>
public sealed class DeviceStore(IDbConnectionFactory db, DeviceCa ca, RolloutsOptions options, TimeProvider clock, HeartbeatWriter heartbeats)
{
    internal const string Columns = "id AS Id, team_id AS TeamId, name AS Name, device_type AS DeviceType, labels AS Labels, attributes AS Attributes, software AS Software, " +
        "inventory_hash AS InventoryHash, health_status AS HealthStatus, health AS Health, agent_version AS AgentVersion, enroll_token_id AS EnrollTokenId, " +
        "enrolled_at AS EnrolledAt, last_seen_at AS LastSeenAt, last_history_at AS LastHistoryAt, check_ins AS CheckIns, certificate_serial AS CertificateSerial, " +
        "certificate_not_after AS CertificateNotAfter";

    public DateTimeOffset OnlineSince => clock.GetUtcNow() - options.CheckInInterval * 3;

    // ---- device API -------------------------------------------------------------------------

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
        await AddEventAsync(connection, tx, device.Id, "enrolled", new { token = row.Id, tokenName = row.Name, serial = device.CertificateSerial, group = row.GroupId, labels = merged }, now);
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
        await AddEventAsync(connection, tx, device.DeviceId, "certificate_renewed", new { previous = device.Serial, serial }, now);
        await tx.CommitAsync(cancellationToken);
        return certificate;
    }

    /// <summary>Records a check-in; returns the log requests the device has still to answer.</summary>
    public async Task<IReadOnlyList<LogRequestRow>> CheckInAsync(DeviceIdentity device, Dictionary<string, string> attributes, List<SoftwareItem> software,
        HealthView health, string agentVersion, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        software = SoftwareInventory.OnePerName(software);
        var attributesJson = Json.Write(new SortedDictionary<string, string>(attributes, StringComparer.Ordinal));
        var softwareJson = Json.Write(software);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(attributesJson + "\n" + softwareJson + "\n" + agentVersion)))[..32];
        // Nothing changed, no history due, no work waiting: only "last seen" moves, written in batches.
        if (device.InventoryHash == hash && device.HealthStatus == health.Status && device.PendingLogs == 0
            && device.LastHistoryAt is { } last && now - last < options.CheckInHistoryInterval)
        {
            heartbeats.Seen(device.DeviceId, now);
            return [];
        }

        await using var connection = await db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<DeviceRow>(
            "SELECT inventory_hash AS InventoryHash, health_status AS HealthStatus, last_history_at AS LastHistoryAt, software AS Software FROM rollouts_devices WHERE id = @DeviceId",
            new { device.DeviceId }, tx) ?? throw new RpcException(GrpcStatus.Unauthenticated, "the device has been deleted");
        var record = false;
        if (before.InventoryHash != hash)
        {
            var old = System.Text.Json.JsonSerializer.Deserialize<List<SoftwareItem>>(before.Software, Json.Options) ?? [];
            await AddEventAsync(connection, tx, device.DeviceId, "inventory_changed", new
            {
                attributes,
                agentVersion,
                softwareAdded = software.Except(old).ToList(),
                softwareRemoved = old.Except(software).ToList(),
            }, now);
            record = true;
        }
        if (before.HealthStatus != health.Status)
        {
            await AddEventAsync(connection, tx, device.DeviceId, "status_changed", new { from = before.HealthStatus, to = health.Status, health.Message }, now);
            record = true;
        }
        if (!record && (before.LastHistoryAt is null || now - before.LastHistoryAt >= options.CheckInHistoryInterval))
        {
            await AddEventAsync(connection, tx, device.DeviceId, "check_in", new { health.Status, agentVersion }, now);
            record = true;
        }
        await connection.ExecuteAsync(
            "UPDATE rollouts_devices SET attributes = @attributesJson, software = @softwareJson, inventory_hash = @hash, health_status = @status, health = @healthJson, " +
            "agent_version = @agentVersion, last_seen_at = @now, check_ins = check_ins + 1" + (record ? ", last_history_at = @now" : "") + " WHERE id = @DeviceId",
            new { attributesJson, softwareJson, hash, status = health.Status, healthJson = Json.Write(health), agentVersion, now, device.DeviceId }, tx);
        var pending = (await connection.QueryAsync<LogRequestRow>(
            $"SELECT {LogStore.Columns} FROM rollouts_log_requests WHERE device_id = @DeviceId AND state IN ('requested', 'delivered') ORDER BY id",
            new { device.DeviceId }, tx)).ToList();
        if (pending.Any(p => p.State == "requested"))
            await connection.ExecuteAsync("UPDATE rollouts_log_requests SET state = 'delivered' WHERE device_id = @DeviceId AND state = 'requested'", new { device.DeviceId }, tx);
        await tx.CommitAsync(cancellationToken);
        return pending;
    }

    internal static Task AddEventAsync(DbConnection connection, DbTransaction? tx, string deviceId, string kind, object details, DateTimeOffset now) =>
        connection.ExecuteAsync("INSERT INTO rollouts_device_events (id, device_id, kind, at, details) VALUES (@id, @deviceId, @kind, @now, @details)",
            new { id = Ids.New(now), deviceId, kind, now, details = Json.Write(details) }, tx);

    // ---- operator API -----------------------------------------------------------------------

    public async Task<DeviceRow?> FindAsync(string teamId, string name)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<DeviceRow>($"SELECT {Columns} FROM rollouts_devices WHERE team_id = @teamId AND name = @name", new { teamId, name });
    }

    public async Task<IReadOnlyList<DeviceRow>> ListAllAsync(DbConnection connection, string teamId) =>
        (await connection.QueryAsync<DeviceRow>($"SELECT {Columns} FROM rollouts_devices WHERE team_id = @teamId ORDER BY name", new { teamId })).ToList();

    /// <summary>Devices matching the filter, a page of them. Name, type and status filter in SQL; labels and group membership in memory.</summary>
    public async Task<Page<DeviceRow>> ListAsync(string teamId, DeviceFilter filter, PageRequest page, GroupStore groups)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM rollouts_devices WHERE team_id = @teamId");
        var onlineSince = OnlineSince;
        if (!string.IsNullOrEmpty(filter.Name)) sql.Append(" AND LOWER(name) LIKE @name");
        if (!string.IsNullOrEmpty(filter.DeviceType)) sql.Append(" AND device_type = @type");
        switch (filter.Status)
        {
            case "online": sql.Append(" AND last_seen_at >= @onlineSince"); break;
            case "offline": sql.Append(" AND last_seen_at < @onlineSince"); break;
            case "pending": sql.Append(" AND last_seen_at IS NULL"); break;
        }
        sql.Append(" ORDER BY name");
        await using var connection = await db.OpenAsync();
        var parameters = new { teamId, name = "%" + (filter.Name ?? "").ToLowerInvariant().Replace("%", "").Replace("_", "") + "%", type = filter.DeviceType, onlineSince };
        IEnumerable<DeviceRow> rows = await connection.QueryAsync<DeviceRow>(sql.ToString(), parameters);
        if (filter.Labels.Count > 0)
            rows = rows.Where(d => GroupStore.Matches(Json.Map(d.Labels), filter.Labels));
        if (filter.GroupId is not null)
        {
            var members = await groups.MemberIdsAsync(connection, teamId, filter.GroupId);
            rows = rows.Where(d => members.ContainsKey(d.Id));
        }
        var all = rows.ToList();
        return new Page<DeviceRow>(all.Skip(page.Skip).Take(page.Take).ToList(), all.Count, page.Take, page.Skip);
    }

    public async Task<Page<DeviceEventRow>> HistoryAsync(string deviceId, string? kind, PageRequest page)
    {
        await using var connection = await db.OpenAsync();
        var where = "device_id = @deviceId" + (kind is null ? "" : " AND kind = @kind");
        var items = await connection.QueryAsync<DeviceEventRow>(
            $"SELECT id AS Id, device_id AS DeviceId, kind AS Kind, at AS At, details AS Details FROM rollouts_device_events WHERE {where} ORDER BY at DESC, id DESC {db.Dialect.Paging()}",
            new { deviceId, kind, limit = page.Take, offset = page.Skip });
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM rollouts_device_events WHERE {where}", new { deviceId, kind });
        return new Page<DeviceEventRow>(items.ToList(), total, page.Take, page.Skip);
    }

    public async Task SetLabelsAsync(DeviceRow device, Dictionary<string, string> labels)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("UPDATE rollouts_devices SET labels = @labels WHERE id = @Id", new { labels = Json.Write(labels), device.Id }, tx);
        await AddEventAsync(connection, tx, device.Id, "labels_changed", new { from = Json.Map(device.Labels), to = labels }, now);
        await tx.CommitAsync();
        device.Labels = Json.Write(labels);
    }

    /// <summary>
    /// Revokes every certificate of the device and deletes it with its history, memberships and logs. Its deployment records
    /// stay: they are a rollout's evidence and carry the device's name and type.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteAsync(DeviceRow device)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var serials = (await connection.QueryAsync<string>("SELECT serial FROM rollouts_certificates WHERE device_id = @Id AND revoked_at IS NULL", new { device.Id }, tx)).ToList();
        await connection.ExecuteAsync("UPDATE rollouts_certificates SET revoked_at = @now WHERE device_id = @Id AND revoked_at IS NULL", new { device.Id, now }, tx);
        foreach (var table in new[] { "rollouts_group_members", "rollouts_log_requests", "rollouts_device_events" })
            await connection.ExecuteAsync($"DELETE FROM {table} WHERE device_id = @Id", new { device.Id }, tx);
        await connection.ExecuteAsync("DELETE FROM rollouts_devices WHERE id = @Id", new { device.Id }, tx);
        await tx.CommitAsync();
        return serials;
    }
}
