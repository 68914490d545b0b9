using System.Data.Common;
using System.Diagnostics.Metrics;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Auditing;

/// <summary>
/// Stores audit rows, group-committed: rows written while a transaction is under way share the next one (one commit,
/// one fsync), so audited requests do not take turns at the database. A row's task completes once it is stored.
/// </summary>
public sealed class AuditWriter
{
    public const string MeterName = "Edgeplane.Host.Audit";
    private readonly GroupCommit _commit;

    public AuditWriter(DbConnectionFactory connections, IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        var rows = meter.CreateCounter<long>("edgeplane.audit.writes", unit: "{row}", description: "Audit rows stored");
        var transactions = meter.CreateCounter<long>("edgeplane.audit.write_transactions", unit: "{transaction}",
            description: "Transactions that stored audit rows (rows written at the same time share one)");
        _commit = new GroupCommit(connections.OpenAsync, static (_, _) => Task.CompletedTask, count =>
        {
            rows.Add(count);
            transactions.Add(1);
        });
    }

    public Task WriteAsync(AuditRecord record, CancellationToken cancellationToken = default) =>
        _commit.RunAsync((connection, transaction) => InsertAsync(connection, transaction, record), cancellationToken);

    /// <summary>Inserts the row in the caller's transaction.</summary>
    public static Task<int> InsertAsync(DbConnection connection, DbTransaction transaction, AuditRecord record) =>
        connection.ExecuteAsync(
            "INSERT INTO host_audit (id, at, user_id, api_key_id, actor, team_id, plugin, action, target, status, source_address, details) " +
            "VALUES (@Id, @At, @UserId, @ApiKeyId, @Actor, @TeamId, @Plugin, @Action, @Target, @Status, @SourceAddress, @Details)", record, transaction);
}
