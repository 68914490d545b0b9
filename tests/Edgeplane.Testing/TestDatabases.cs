using Npgsql;

namespace Edgeplane.Testing;

/// <summary>
/// The database servers a test run has: PostgreSQL from <c>EDGEPLANE_TEST_POSTGRES</c> (the test
/// command starts one), SQL Server from <c>EDGEPLANE_TEST_SQLSERVER</c> (none can run on these
/// machines; tests that need it are skipped with that reason when it is not set).
/// </summary>
public static class TestDatabases
{
    public static string? PostgresServer => Environment.GetEnvironmentVariable("EDGEPLANE_TEST_POSTGRES");
    public static string? SqlServerServer => Environment.GetEnvironmentVariable("EDGEPLANE_TEST_SQLSERVER");

    public static string[] Providers => ["sqlite", "postgres", "sqlserver"];

    /// <summary>Why <paramref name="provider"/> cannot be tested here, or null when it can.</summary>
    public static string? Unavailable(string provider) => provider switch
    {
        "postgres" when PostgresServer is null => "EDGEPLANE_TEST_POSTGRES is not set (./test.sh starts a PostgreSQL server and sets it)",
        "sqlserver" when SqlServerServer is null => "EDGEPLANE_TEST_SQLSERVER is not set: SQL Server cannot run on these machines",
        _ => null,
    };

    /// <summary>A fresh, empty database on the provider's server, as host environment variables (SQLite: a file in <paramref name="directory"/>).</summary>
    public static async Task<Dictionary<string, string?>> CreateAsync(string provider, string directory)
    {
        var connectionString = provider switch
        {
            "sqlite" => $"Data Source={Path.Combine(directory, $"db-{Guid.NewGuid():N}.db")}",
            "postgres" => await CreatePostgresDatabaseAsync(),
            "sqlserver" => SqlServerServer!,
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };
        return new()
        {
            ["Edgeplane__Database__Provider"] = provider,
            ["Edgeplane__Database__ConnectionString"] = connectionString,
        };
    }

    private static async Task<string> CreatePostgresDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(PostgresServer))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ToString();
    }
}
