using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>A device's check-ins: inventory, health and "last seen" (unchanged ones batched by <see cref="HeartbeatWriter"/>), and the log requests waiting for it.</summary>
public sealed class DeviceCheckIns(IDbConnectionFactory db, RolloutsOptions options, TimeProvider clock, HeartbeatWriter heartbeats)
{
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
            await DeviceHistory.AddEventAsync(connection, tx, device.DeviceId, "inventory_changed", new
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
            await DeviceHistory.AddEventAsync(connection, tx, device.DeviceId, "status_changed", new { from = before.HealthStatus, to = health.Status, health.Message }, now);
            record = true;
        }
        if (!record && (before.LastHistoryAt is null || now - before.LastHistoryAt >= options.CheckInHistoryInterval))
        {
            await DeviceHistory.AddEventAsync(connection, tx, device.DeviceId, "check_in", new { health.Status, agentVersion }, now);
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
}
