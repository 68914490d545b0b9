using System.Diagnostics;
using Edgeplane.Testing;
using Npgsql;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// Migration <c>0003_rrset_ttl.sql</c> on records stored before the one-TTL rule, on real SQLite and
/// PostgreSQL: each RRset takes its lowest TTL (the one the server answered with); other RRsets keep theirs.
/// </summary>
public sealed class RrsetTtlMigrationTests(Postgres postgres)
{
    private const string Table = "CREATE TABLE dns_records (zone_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, ttl INT NOT NULL, value TEXT NOT NULL)";

    private const string Rows = """
        INSERT INTO dns_records VALUES ('z1', 'www', 'A', 600, '192.0.2.1'), ('z1', 'www', 'A', 300, '192.0.2.2'), ('z1', 'www', 'A', 900, '192.0.2.3'),
            ('z1', 'www', 'TXT', 60, 'other type'), ('z1', 'mail', 'A', 1200, '192.0.2.4'), ('z2', 'www', 'A', 3600, '192.0.2.5')
        """;

    private static readonly string[] Expected = ["z1 mail A 1200", "z1 www A 300", "z1 www A 300", "z1 www A 300", "z1 www TXT 60", "z2 www A 3600"];

    private static string Script()
    {
        var assembly = typeof(Edgeplane.Plugins.Dns.DnsPlugin).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".Migrations.0003_rrset_ttl.sql", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task On_sqlite()
    {
        if (!File.Exists("/usr/bin/sqlite3")) Assert.Skip("sqlite3 is not installed (Debian sqlite3)");
        using var dir = new TempDirectory();
        var info = new ProcessStartInfo("sqlite3", [dir.Combine("dns.db")]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var sqlite = Process.Start(info)!;
        await sqlite.StandardInput.WriteAsync($"{Table};\n{Rows};\n{Script()}\nSELECT zone_id || ' ' || name || ' ' || type || ' ' || ttl FROM dns_records;\n");
        sqlite.StandardInput.Close();
        var output = await sqlite.StandardOutput.ReadToEndAsync();
        var errors = await sqlite.StandardError.ReadToEndAsync();
        await sqlite.WaitForExitAsync();
        Assert.True(errors.Length == 0, errors);
        Assert.Equal(Expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact]
    public async Task On_postgres()
    {
        using var dir = new TempDirectory();
        var settings = await postgres.CreateDatabaseAsync(dir.Path);
        await using var connection = new NpgsqlConnection(settings["Edgeplane__Database__ConnectionString"]);
        await connection.OpenAsync();
        foreach (var sql in new[] { Table, Rows, Script() })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        await using var select = new NpgsqlCommand("SELECT zone_id || ' ' || name || ' ' || type || ' ' || ttl FROM dns_records", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        Assert.Equal(Expected, rows.Order());
    }
}
