using System.Data.Common;
using System.Text;
using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>The team's devices: find, list and filter, labels, and deletion with everything the device had.</summary>
public sealed class DeviceStore(IDbConnectionFactory db, RolloutsOptions options, TimeProvider clock)
{
    internal const string Columns = "id AS Id, team_id AS TeamId, name AS Name, device_type AS DeviceType, labels AS Labels, attributes AS Attributes, software AS Software, " +
        "inventory_hash AS InventoryHash, health_status AS HealthStatus, health AS Health, agent_version AS AgentVersion, enroll_token_id AS EnrollTokenId, " +
        "enrolled_at AS EnrolledAt, last_seen_at AS LastSeenAt, last_history_at AS LastHistoryAt, check_ins AS CheckIns, certificate_serial AS CertificateSerial, " +
        "certificate_not_after AS CertificateNotAfter";

    public DateTimeOffset OnlineSince => clock.GetUtcNow() - options.CheckInInterval * 3;

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

    public async Task SetLabelsAsync(DeviceRow device, Dictionary<string, string> labels)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("UPDATE rollouts_devices SET labels = @labels WHERE id = @Id", new { labels = Json.Write(labels), device.Id }, tx);
        await DeviceHistory.AddEventAsync(connection, tx, device.Id, "labels_changed", new { from = Json.Map(device.Labels), to = labels }, now);
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
