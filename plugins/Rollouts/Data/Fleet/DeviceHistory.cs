using System.Data.Common;
using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>A device's history (<c>rollouts_device_events</c>): written by every part that changes a device, read newest first.</summary>
public sealed class DeviceHistory(IDbConnectionFactory db)
{
    internal static Task AddEventAsync(DbConnection connection, DbTransaction? tx, string deviceId, string kind, object details, DateTimeOffset now) =>
        connection.ExecuteAsync("INSERT INTO rollouts_device_events (id, device_id, kind, at, details) VALUES (@id, @deviceId, @kind, @now, @details)",
            new { id = Ids.New(now), deviceId, kind, now, details = Json.Write(details) }, tx);

    public async Task<Page<DeviceEventRow>> ListAsync(string deviceId, string? kind, PageRequest page)
    {
        await using var connection = await db.OpenAsync();
        var where = "device_id = @deviceId" + (kind is null ? "" : " AND kind = @kind");
        var items = await connection.QueryAsync<DeviceEventRow>(
            $"SELECT id AS Id, device_id AS DeviceId, kind AS Kind, at AS At, details AS Details FROM rollouts_device_events WHERE {where} ORDER BY at DESC, id DESC {db.Dialect.Paging()}",
            new { deviceId, kind, limit = page.Take, offset = page.Skip });
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM rollouts_device_events WHERE {where}", new { deviceId, kind });
        return new Page<DeviceEventRow>(items.ToList(), total, page.Take, page.Skip);
    }
}
