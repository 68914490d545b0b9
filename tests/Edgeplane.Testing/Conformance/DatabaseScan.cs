using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Edgeplane.Testing.Conformance;

/// <summary>
/// Reads a host's database beside it (SQLite file or PostgreSQL) to find every row, in any table and column, whose
/// text holds a value: what is left of a team or an object after it was deleted.
/// </summary>
public sealed class DatabaseScan(string provider, string connectionString)
{
    public static DatabaseScan Of(HostProcess host) => new(host.DatabaseProvider, host.ConnectionString);

    /// <summary>"table.column (n rows)" for every column of every table, except <paramref name="skipTables"/>, whose text contains <paramref name="value"/>.</summary>
    public async Task<IReadOnlyList<string>> FindAsync(string value, IReadOnlyCollection<string> skipTables, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await connection.OpenAsync(cancellationToken);
        var found = new List<string>();
        foreach (var (table, columns) in await ColumnsAsync(connection, cancellationToken))
        {
            if (skipTables.Contains(table)) continue;
            foreach (var column in columns)
            {
                await using var count = connection.CreateCommand();
                count.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE @pattern ESCAPE '\\'";
                var pattern = count.CreateParameter();
                pattern.ParameterName = "pattern";
                pattern.Value = "%" + value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
                count.Parameters.Add(pattern);
                var rows = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                if (rows > 0) found.Add($"{table}.{column} ({rows} rows)");
            }
        }
        return found;
    }

    /// <summary>Rows per table.</summary>
    public async Task<Dictionary<string, long>> RowCountsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await connection.OpenAsync(cancellationToken);
        var tables = (await ColumnsAsync(connection, cancellationToken)).Select(t => t.Table).ToList();
        await using var count = connection.CreateCommand();
        count.CommandText = string.Join(" UNION ALL ", tables.Select(t => $"SELECT '{t}', COUNT(*) FROM \"{t}\""));
        var counts = new Dictionary<string, long>();
        await using var reader = await count.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs one statement on the database (a test's deliberate damage, e.g. a changed migration checksum).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = provider == "sqlite" ? new SqliteConnection(connectionString) : Open();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private DbConnection Open() => provider switch
    {
        "sqlite" => new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 30 }.ToString()),
        "postgres" => new NpgsqlConnection(connectionString),
        _ => throw new NotSupportedException($"reading a {provider} database"),
    };

    private async Task<List<(string Table, List<string> Columns)>> ColumnsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = provider == "sqlite"
            ? "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid"
            : "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position";
        var tables = new List<(string Table, List<string> Columns)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var table = reader.GetString(0);
            if (tables.Count == 0 || tables[^1].Table != table) tables.Add((table, []));
            tables[^1].Columns.Add(reader.GetString(1));
        }
        return tables;
    }
}
