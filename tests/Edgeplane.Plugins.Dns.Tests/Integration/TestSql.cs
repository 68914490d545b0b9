using System.Data.Common;
using System.Diagnostics;
using Edgeplane.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// A host database for tests that read or change the plugin's tables directly: a SQLite file (through
/// the <c>sqlite3</c> program) or a fresh PostgreSQL database.
/// </summary>
public sealed class TestSql(string provider, Dictionary<string, string?> settings)
{
    public string Provider { get; } = provider;
    public Dictionary<string, string?> Settings { get; } = settings;

    public static async Task<TestSql> CreateAsync(string provider, Postgres postgres, TempDirectory dir)
    {
        if (provider == "postgres") return new TestSql(provider, await postgres.CreateDatabaseAsync(dir.Path));
        if (!File.Exists("/usr/bin/sqlite3")) Assert.Skip("sqlite3 is not installed (Debian sqlite3)");
        return new TestSql(provider, new()
        {
            ["Edgeplane__Database__Provider"] = "sqlite",
            ["Edgeplane__Database__ConnectionString"] = $"Data Source={dir.Combine("dns.db")}",
        });
    }

    private string ConnectionString => Settings["Edgeplane__Database__ConnectionString"]!;

    /// <summary>Runs one statement; the rows it returns, each as its columns joined with <c>|</c>.</summary>
    public async Task<List<string>> QueryAsync(string sql)
    {
        if (Provider == "postgres")
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
                rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            return rows;
        }
        var file = ConnectionString["Data Source=".Length..];
        var info = new ProcessStartInfo("sqlite3", ["-cmd", ".timeout 10000", file, sql]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var sqlite = Process.Start(info)!;
        var output = await sqlite.StandardOutput.ReadToEndAsync();
        var errors = await sqlite.StandardError.ReadToEndAsync();
        await sqlite.WaitForExitAsync();
        Assert.True(sqlite.ExitCode == 0 && errors.Length == 0, errors);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>
    /// Takes the DNS writers' lock (the change counter's row; on SQLite the database's write lock with it) in a
    /// transaction of its own, held until the result is disposed (then rolled back): the plugin's writers queue meanwhile.
    /// </summary>
    public async Task<IAsyncDisposable> HoldWritersLockAsync()
    {
        DbConnection connection = Provider == "postgres" ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "UPDATE dns_state SET generation = generation WHERE id = 1";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        return new HeldLock(connection, transaction);
    }

    private sealed class HeldLock(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
