using System.Security.Cryptography;
using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

public sealed class LogRequestRow
{
    public string Id { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Sources { get; set; } = "[]";
    public long MaxBytes { get; set; }
    /// <summary><c>requested</c>, <c>delivered</c> (the device was told at check-in) or <c>uploaded</c>.</summary>
    public string State { get; set; } = "";
    public string? RequestedBy { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? UploadedAt { get; set; }
    public string? ContentType { get; set; }
    public string? FileName { get; set; }
    public long? Size { get; set; }
    public string? Sha256 { get; set; }
}

public sealed record LogRequestView(string Id, string DeviceId, List<string> Sources, long MaxBytes, string State, string? RequestedBy, DateTimeOffset RequestedAt,
    DateTimeOffset? UploadedAt, string? ContentType, string? FileName, long? Size, string? Sha256)
{
    public static LogRequestView From(LogRequestRow r) => new(r.Id, r.DeviceId, System.Text.Json.JsonSerializer.Deserialize<List<string>>(r.Sources, Json.Options) ?? [],
        r.MaxBytes, r.State, r.RequestedBy, r.RequestedAt, r.UploadedAt, r.ContentType, r.FileName, r.Size, r.Sha256);
}

/// <summary>Log requests (an operator asks, the device learns at check-in) and the uploaded bundles.</summary>
public sealed class LogStore(IDbConnectionFactory db, TimeProvider clock)
{
    internal const string Columns = "id AS Id, device_id AS DeviceId, team_id AS TeamId, sources AS Sources, max_bytes AS MaxBytes, state AS State, requested_by AS RequestedBy, " +
        "requested_at AS RequestedAt, uploaded_at AS UploadedAt, content_type AS ContentType, file_name AS FileName, size AS Size, sha256 AS Sha256";

    public async Task<LogRequestRow> RequestAsync(DeviceRow device, List<string> sources, long maxBytes, string? userId)
    {
        var now = clock.GetUtcNow();
        var row = new LogRequestRow
        {
            Id = Ids.New(now), DeviceId = device.Id, TeamId = device.TeamId, Sources = Json.Write(sources), MaxBytes = maxBytes, State = "requested",
            RequestedBy = userId, RequestedAt = now,
        };
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO rollouts_log_requests (id, device_id, team_id, sources, max_bytes, state, requested_by, requested_at) VALUES (@Id, @DeviceId, @TeamId, @Sources, @MaxBytes, @State, @RequestedBy, @RequestedAt)",
            row, tx);
        await DeviceHistory.AddEventAsync(connection, tx, device.Id, "logs_requested", new { request = row.Id, sources, maxBytes, by = userId }, now);
        await tx.CommitAsync();
        return row;
    }

    public async Task<Page<LogRequestRow>> ListAsync(string deviceId, PageRequest page)
    {
        await using var connection = await db.OpenAsync();
        var items = await connection.QueryAsync<LogRequestRow>($"SELECT {Columns} FROM rollouts_log_requests WHERE device_id = @deviceId ORDER BY id DESC {db.Dialect.Paging()}",
            new { deviceId, limit = page.Take, offset = page.Skip });
        var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_log_requests WHERE device_id = @deviceId", new { deviceId });
        return new Page<LogRequestRow>(items.ToList(), total, page.Take, page.Skip);
    }

    public async Task<LogRequestRow?> FindAsync(string deviceId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<LogRequestRow>($"SELECT {Columns} FROM rollouts_log_requests WHERE device_id = @deviceId AND id = @id", new { deviceId, id });
    }

    public async Task<byte[]?> DataAsync(string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<byte[]>("SELECT data FROM rollouts_log_requests WHERE id = @id", new { id });
    }

    /// <summary>Stores the device's answer to one of its log requests.</summary>
    public async Task<(long Size, string Sha256)> UploadAsync(DeviceIdentity device, string requestId, string contentType, string fileName, byte[] data, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<LogRequestRow>($"SELECT {Columns} FROM rollouts_log_requests WHERE id = @requestId AND device_id = @DeviceId",
            new { requestId, device.DeviceId }, tx) ?? throw new RpcException(GrpcStatus.NotFound, $"no log request '{requestId}' for this device");
        if (row.State == "uploaded") throw new RpcException(GrpcStatus.AlreadyExists, $"log request '{requestId}' was already answered");
        if (data.Length > row.MaxBytes) throw new RpcException(GrpcStatus.ResourceExhausted, $"the bundle has {data.Length} bytes; the request allows {row.MaxBytes}");
        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        await connection.ExecuteAsync(
            "UPDATE rollouts_log_requests SET state = 'uploaded', uploaded_at = @now, content_type = @contentType, file_name = @fileName, size = @size, sha256 = @sha, data = @data WHERE id = @requestId",
            new { now, contentType, fileName, size = (long)data.Length, sha, data, requestId }, tx);
        await DeviceHistory.AddEventAsync(connection, tx, device.DeviceId, "logs_uploaded", new { request = requestId, size = data.Length, sha256 = sha, contentType }, now);
        await tx.CommitAsync(cancellationToken);
        return (data.Length, sha);
    }
}
