using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Edgeplane.Host.Data;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Data;

public sealed class MigrationTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _adminKey = $"ep_test_{Guid.NewGuid():N}{Guid.NewGuid():N}";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HostOptions Options, DbConnectionFactory Db)> DatabaseAsync(string provider, string plugin = "Greeter")
    {
        var environment = await TestDatabases.CreateAsync(provider, _dir.Path);
        var plugins = _dir.Combine($"plugins-{plugin}-{Guid.NewGuid():N}");
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin(plugin), Path.Combine(plugins, "greeter"));
        environment["Edgeplane__Plugins__Directories"] = plugins;
        environment["Edgeplane__Bootstrap__AdminApiKey"] = _adminKey;
        var db = new DbConnectionFactory(new DatabaseOptions(provider, environment["Edgeplane__Database__ConnectionString"]!));
        return (new HostOptions { Environment = environment }, db);
    }

    private static async Task<JsonObject> GreeterStateAsync(HostProcess host)
    {
        using var admin = host.AdminClient();
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", Ct);
        return plugins!.OfType<JsonObject>().Single(p => (string)p["id"]! == "greeter");
    }

    [Theory]
    [ClassData(typeof(ProviderData))]
    public async Task Migrations_are_applied_once_and_recorded_with_version_and_checksum(string provider)
    {
        ProviderData.SkipIfUnavailable(provider);
        var (options, db) = await DatabaseAsync(provider);

        await using (var host = await HostProcess.StartAsync(options))
        {
            using var admin = host.AdminClient();
            using var created = await admin.PostAsJsonAsync("/greeter/greetings", new { text = "hello" }, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        await using (var again = await HostProcess.StartAsync(options with { DataDirectory = null }))
        {
            using var admin = again.AdminClient();
            var page = await admin.GetFromJsonAsync<JsonObject>("/greeter/greetings", Ct);
            Assert.Equal(1, (int)page!["total"]!);
        }

        await using var connection = await db.OpenAsync(Ct);
        var rows = (await connection.QueryAsync<(string Plugin, int Version, string Name, string Checksum)>(
            "SELECT plugin, version, name, checksum FROM host_migrations ORDER BY plugin, version")).ToList();
        Assert.Contains(rows, r => r is { Plugin: "greeter", Version: 1, Name: "0001_greetings.sql" } && r.Checksum.Length == 64);
        Assert.Equal(Migration.From(typeof(MigrationRunner).Assembly).Count, rows.Count(r => r.Plugin == "host"));
    }

    [Theory]
    [ClassData(typeof(ProviderData))]
    public async Task A_plugin_whose_applied_script_changed_is_refused_naming_the_script(string provider)
    {
        ProviderData.SkipIfUnavailable(provider);
        var (options, _) = await DatabaseAsync(provider);
        await using (var first = await HostProcess.StartAsync(options))
        {
            Assert.Equal("active", (string)(await GreeterStateAsync(first))["state"]!);
            using var client = first.AdminClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/greeter/hello/ada", Ct)).StatusCode);
        }

        var changed = _dir.Combine("changed");
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin("GreeterChanged"), Path.Combine(changed, "greeter"));
        var environment = new Dictionary<string, string?>(options.Environment) { ["Edgeplane__Plugins__Directories"] = changed };
        await using var second = await HostProcess.StartAsync(options with { Environment = environment });
        var state = await GreeterStateAsync(second);

        Assert.Equal("failed", (string)state["state"]!);
        Assert.Contains("0001_greetings.sql", (string)state["reason"]!);
        Assert.Contains("changed", (string)state["reason"]!);
        // Its routes were mapped while migrations ran, and withdrawn before the host served: they answer 503.
        using var admin = second.AdminClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.GetAsync("/greeter/hello/ada", Ct)).StatusCode);
    }

    [Theory]
    [ClassData(typeof(ProviderData))]
    public async Task Two_hosts_starting_together_on_one_database_migrate_once(string provider)
    {
        ProviderData.SkipIfUnavailable(provider);
        var (options, db) = await DatabaseAsync(provider);

        var hosts = await Task.WhenAll(HostProcess.StartAsync(options), HostProcess.StartAsync(options));
        try
        {
            foreach (var host in hosts)
                Assert.Equal("active", (string)(await GreeterStateAsync(host))["state"]!);
            await using var connection = await db.OpenAsync(Ct);
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM host_migrations WHERE plugin = 'greeter'"));
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM host_users"));
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_migrate_command_applies_migrations_and_exits_without_serving()
    {
        var (options, db) = await DatabaseAsync("sqlite");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { RepoPaths.HostAssembly, "migrate", "--urls", $"http://127.0.0.1:{FreePort.Next()}" }) info.ArgumentList.Add(arg);
        foreach (var (key, value) in options.Environment) info.Environment[key] = value;
        info.Environment["Edgeplane__DataDirectory"] = _dir.Path;

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.True(process.ExitCode == 0, await output);
        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM host_migrations WHERE plugin = 'greeter'"));
    }

    public void Dispose() => _dir.Dispose();
}
