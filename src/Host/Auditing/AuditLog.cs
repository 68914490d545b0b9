using System.Text.Json;
using Dapper;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Auditing;

/// <summary>The SDK's audit log: one row per recorded action, with who and where from the current request.</summary>
public sealed class AuditLog(DbConnectionFactory connections, ICaller caller, TimeProvider clock) : IAuditLog
{
    public Task RecordAsync(string action, string target, object? details = null, CancellationToken cancellationToken = default) =>
        WriteAsync(new AuditRecord
        {
            Action = action,
            Target = target,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        }, cancellationToken);

    /// <summary>Writes a record, filling who, team, time and source from the current caller.</summary>
    public async Task WriteAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        record.Id = Ids.New();
        record.At = clock.GetUtcNow();
        record.UserId ??= caller.UserId;
        record.ApiKeyId ??= caller.ApiKeyId;
        record.Actor ??= caller.Username;
        record.TeamId ??= caller.TeamId;
        record.SourceAddress ??= caller.SourceAddress;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO host_audit (id, at, user_id, api_key_id, actor, team_id, plugin, action, target, status, source_address, details) " +
            "VALUES (@Id, @At, @UserId, @ApiKeyId, @Actor, @TeamId, @Plugin, @Action, @Target, @Status, @SourceAddress, @Details)", record);
    }
}
