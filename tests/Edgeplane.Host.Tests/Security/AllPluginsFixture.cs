using Edgeplane.Testing;
using Microsoft.Data.Sqlite;

namespace Edgeplane.Host.Tests.Security;

/// <summary>
/// One real host with all five first-party plugins at their default mounts, each listener of its own on a free
/// port of 127.0.0.1 (the DNS server, the device API, the WAF proxy, whose upstream nothing listens on).
/// </summary>
public sealed class AllPluginsFixture : IAsyncLifetime
{
    public HostProcess Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await HostProcess.StartAsync(new HostOptions
        {
            Environment = new()
            {
                ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Plugins__rollouts__DeviceApi__Port"] = FreePort.Next().ToString(),
                ["Edgeplane__Plugins__waf__Proxy__Listen"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Plugins__waf__Proxy__Upstream"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Identity__AllowSignup"] = "true",
            },
        });
    }

    /// <summary>Rows per table of the host's SQLite database, read beside the host.</summary>
    public async Task<Dictionary<string, long>> RowCountsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(Host.DataDirectory, "edgeplane.db")};Mode=ReadOnly;Default Timeout=30");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        await using var count = connection.CreateCommand();
        count.CommandText = string.Join(" UNION ALL ", tables.Select(t => $"SELECT '{t}', COUNT(*) FROM \"{t}\""));
        var counts = new Dictionary<string, long>();
        await using (var reader = await count.ExecuteReaderAsync())
            while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
