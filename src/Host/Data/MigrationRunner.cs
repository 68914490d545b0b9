using Dapper;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Host.Data;

/// <summary>
/// Applies each plugin's pending migrations in one transaction under a database lock, so that
/// host instances starting together migrate once. Refuses a plugin whose applied script changed.
/// </summary>
public sealed class MigrationRunner(DbConnectionFactory connections, TimeProvider clock, ILogger<MigrationRunner> logger)
{
    private const string CreateTable =
        "CREATE TABLE IF NOT EXISTS host_migrations (plugin {{string}} NOT NULL, version {{int}} NOT NULL, name {{string}} NOT NULL, " +
        "checksum {{string}} NOT NULL, applied_at {{timestamp}} NOT NULL, PRIMARY KEY (plugin, version))";

    private const string CreateTableSqlServer =
        "IF OBJECT_ID('host_migrations') IS NULL CREATE TABLE host_migrations (plugin {{string}} NOT NULL, version {{int}} NOT NULL, name {{string}} NOT NULL, " +
        "checksum {{string}} NOT NULL, applied_at {{timestamp}} NOT NULL, PRIMARY KEY (plugin, version))";

    /// <summary>
    /// Every migration applied so far, read without a lock: a start with nothing pending and nothing changed
    /// takes no lock. Empty before the first start (no table yet).
    /// </summary>
    public async Task<IReadOnlySet<(string Plugin, int Version, string Checksum)>> ReadAppliedAsync(CancellationToken cancellationToken = default)
    {
        // Plain ADO.NET: Dapper's first query emits and compiles a row reader, a cost every start paid here.
        await using var connection = await connections.OpenAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT plugin, version, checksum FROM host_migrations";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var applied = new HashSet<(string, int, string)>();
            while (await reader.ReadAsync(cancellationToken)) applied.Add((reader.GetString(0), reader.GetInt32(1), reader.GetString(2)));
            return applied;
        }
        catch (System.Data.Common.DbException)
        {
            return new HashSet<(string, int, string)>();
        }
    }

    /// <summary>Applies what is pending; throws <see cref="MigrationException"/> naming the script that failed or changed.</summary>
    public async Task<int> ApplyAsync(string plugin, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        if (migrations.Count == 0) return 0;
        var dialect = connections.Dialect;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (dialect.MigrationLock.Length > 0)
            await connection.ExecuteAsync(dialect.MigrationLock, transaction: transaction);
        await connection.ExecuteAsync(dialect.Expand(dialect is SqlServerDialect ? CreateTableSqlServer : CreateTable), transaction: transaction);

        var applied = (await connection.QueryAsync<(int Version, string Name, string Checksum)>(
            "SELECT version, name, checksum FROM host_migrations WHERE plugin = @plugin", new { plugin }, transaction))
            .ToDictionary(m => m.Version);

        var count = 0;
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var previous))
            {
                if (previous.Checksum != migration.Checksum)
                    throw new MigrationException($"migration {migration.Name} was changed after it was applied (checksum {previous.Checksum[..12]} became {migration.Checksum[..12]})");
                continue;
            }
            try
            {
                await connection.ExecuteAsync(dialect.Expand(migration.Script), transaction: transaction);
            }
            catch (Exception e) when (e is System.Data.Common.DbException)
            {
                throw new MigrationException($"migration {migration.Name} failed: {e.Message}", e);
            }
            await connection.ExecuteAsync(
                "INSERT INTO host_migrations (plugin, version, name, checksum, applied_at) VALUES (@plugin, @Version, @Name, @Checksum, @at)",
                new { plugin, migration.Version, migration.Name, migration.Checksum, at = clock.GetUtcNow() }, transaction);
            count++;
        }
        await transaction.CommitAsync(cancellationToken);
        if (count > 0) logger.LogInformation("Applied {Count} migration(s) for {Plugin}", count, plugin);
        return count;
    }
}

public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
