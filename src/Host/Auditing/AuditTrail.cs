using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Auditing;

/// <summary>The SDK's read side of the audit trail (<c>host_audit</c>).</summary>
public sealed class AuditTrail(DbConnectionFactory connections) : IAuditTrail
{
    public async IAsyncEnumerable<AuditEntry> ReadAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sql = new StringBuilder("SELECT id AS Id, at AS At, user_id AS UserId, api_key_id AS ApiKeyId, actor AS Actor, team_id AS TeamId, plugin AS Plugin, " +
                                    "action AS Action, target AS Target, status AS Status, source_address AS SourceAddress, details AS Details FROM host_audit WHERE 1 = 1");
        if (query.TeamId is not null) sql.Append(" AND team_id = @TeamId");
        // Requests carry the plugin of the route; domain events recorded through IAuditLog carry none, but are named after it.
        if (query.Plugin is not null) sql.Append(" AND (plugin = @Plugin OR (plugin IS NULL AND action LIKE @pluginActions))");
        if (query.ActionPrefix is not null) sql.Append(" AND action LIKE @actionPrefix");
        if (query.From is not null) sql.Append(" AND at >= @From");
        if (query.To is not null) sql.Append(" AND at <= @To");
        sql.Append(" ORDER BY at, id");
        if (query.Limit is not null) sql.Append(' ').Append(connections.Dialect.Paging());
        var args = new
        {
            query.TeamId, query.Plugin, query.From, query.To,
            pluginActions = query.Plugin + ".%",
            actionPrefix = query.ActionPrefix + "%",
            limit = query.Limit ?? 0, offset = 0,
        };
        await using var connection = await connections.OpenAsync(cancellationToken);
        await foreach (var row in connection.QueryUnbufferedAsync<AuditRecord>(sql.ToString(), args).WithCancellation(cancellationToken))
            yield return new AuditEntry(row.Id, row.At, row.UserId, row.ApiKeyId, row.Actor, row.TeamId, row.Plugin, row.Action, row.Target, row.Status,
                row.SourceAddress, row.Details);
    }
}
