using System.Data.Common;
using Edgeplane.Abstractions.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Edgeplane.Host.Data;

/// <summary>The SDK's connection factory over the one configured provider.</summary>
public sealed class DbConnectionFactory : IDbConnectionFactory
{
    private readonly Func<DbConnection> _create;
    private readonly DataMetrics? _metrics;
    private readonly Func<string?> _callingPlugin;

    /// <param name="metrics">When given, every command's duration is recorded (by provider, operation and calling plugin).</param>
    /// <param name="callingPlugin">The id of the plugin whose request runs the command, or null for the host.</param>
    public DbConnectionFactory(DatabaseOptions options, DataMetrics? metrics = null, Func<string?>? callingPlugin = null)
    {
        _metrics = metrics;
        _callingPlugin = callingPlugin ?? (() => null);
        var connectionString = options.ConnectionString;
        (_create, Dialect) = options.Provider switch
        {
            "sqlite" => Use(SqliteConnectionString(connectionString), s => new SqliteConnection(s), new SqliteDialect()),
            "postgres" => Use(connectionString, s => new NpgsqlConnection(s), new PostgresDialect()),
            "sqlserver" => Use(SqlServerConnectionString(connectionString), s => new SqlConnection(s), new SqlServerDialect()),
            _ => throw new InvalidOperationException($"unknown provider '{options.Provider}'"),
        };
        DapperTypeHandlers.Register();
    }

    public SqlDialect Dialect { get; }

    // The connection string is built once: parsing it on every open cost more than the open itself.
    private static (Func<DbConnection>, SqlDialect) Use(string connectionString, Func<string, DbConnection> create, SqlDialect dialect) =>
        (() => create(connectionString), dialect);

    ISqlDialect IDbConnectionFactory.Dialect => Dialect;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = _metrics is null ? _create() : new InstrumentedConnection(_create(), _metrics, Dialect.Provider, _callingPlugin);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (((connection as InstrumentedConnection)?.Inner ?? connection) is SqliteConnection sqlite) WaitWhenBusy(sqlite);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // SQLite's own busy handler waits for a writer's lock in steps of 1-100 ms; without it Microsoft.Data.Sqlite
    // retries a busy statement after sleeping 150 ms on the calling thread (two writers at once stalled a
    // thread-pool thread for 150 ms). A native call on the handle: no statement per open.
    private static void WaitWhenBusy(SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, connection.DefaultTimeout * 1000);

    /// <summary>Makes sure the SQLite file's folder exists and switches the file to WAL with full syncs.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        if (Dialect is not SqliteDialect) return;
        await using var connection = (SqliteConnection)_create();
        var file = connection.DataSource;
        if (!string.IsNullOrEmpty(file) && file != ":memory:")
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string SqliteConnectionString(string value) =>
        new SqliteConnectionStringBuilder(value) { DefaultTimeout = 30, ForeignKeys = true, Pooling = true }.ToString();

    // Encrypt by default: Microsoft.Data.SqlClient 2.1.x does not.
    private static string SqlServerConnectionString(string value)
    {
        var builder = new SqlConnectionStringBuilder(value);
        if (!value.Contains("Encrypt", StringComparison.OrdinalIgnoreCase)) builder.Encrypt = true;
        return builder.ToString();
    }
}
