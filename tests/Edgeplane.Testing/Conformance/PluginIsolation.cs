using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Testing.Conformance;

/// <summary>
/// A plugin folder on a host of its own, next to a plugin that fails to load: the plugin is active and the host serves;
/// then, once the recorded checksum of one of its applied migrations no longer matches its script, the plugin is refused
/// at the next start with a reason naming the migration, and the host still serves.
/// </summary>
public static class PluginIsolation
{
    private const string BrokenId = "conformance-broken";

    public static async Task<IReadOnlyList<string>> FailuresAsync(string pluginFolder, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken = default)
    {
        using var dir = new TempDirectory();
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(pluginFolder, "plugin.json"), cancellationToken))!;
        var id = (string)manifest["id"]!;
        var plugins = dir.Combine("plugins");
        TempDirectory.CopyDirectory(pluginFolder, Path.Combine(plugins, Path.GetFileName(pluginFolder.TrimEnd('/'))));
        var broken = Directory.CreateDirectory(Path.Combine(plugins, BrokenId)).FullName;
        await File.WriteAllTextAsync(Path.Combine(broken, "plugin.json"), new JsonObject
        {
            ["id"] = BrokenId, ["name"] = "Broken", ["version"] = "1.0.0", ["entryAssembly"] = "Broken.dll", ["sdk"] = (string?)manifest["sdk"],
        }.ToJsonString(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(broken, "Broken.dll"), "not an assembly: loading it throws", cancellationToken);
        var options = new HostOptions
        {
            DataDirectory = dir.Combine("data"),
            // one admin key for both starts: the host takes the bootstrap key on its first run only
            Environment = new(environment) { ["Edgeplane__Plugins__Directories"] = plugins, ["Edgeplane__Bootstrap__AdminApiKey"] = "ep_conformance_" + Guid.NewGuid().ToString("N") },
        };
        Directory.CreateDirectory(options.DataDirectory);

        var failures = new List<string>();
        DatabaseScan database;
        await using (var host = await HostProcess.StartAsync(options))
        {
            database = DatabaseScan.Of(host);
            await ExpectAsync(host, id, "active", null, failures, cancellationToken);
            await ExpectAsync(host, BrokenId, "failed", null, failures, cancellationToken);
            await host.StopAsync();
        }
        if (await database.CountAsync($"SELECT COUNT(*) FROM host_migrations WHERE plugin = '{id}'", cancellationToken) == 0)
            return failures; // no migration to lock
        await database.ExecuteAsync($"UPDATE host_migrations SET checksum = 'changed-after-it-was-applied' WHERE plugin = '{id}'", cancellationToken);
        await using (var host = await HostProcess.StartAsync(options))
            await ExpectAsync(host, id, "failed", "was changed after it was applied", failures, cancellationToken);
        return failures;
    }

    private static async Task ExpectAsync(HostProcess host, string id, string state, string? reason, List<string> failures, CancellationToken cancellationToken)
    {
        using var admin = host.AdminClient();
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", cancellationToken);
        var plugin = plugins!.OfType<JsonObject>().FirstOrDefault(p => (string?)p["id"] == id);
        if (plugin is null) failures.Add($"{id} is not listed by /api/v1/plugins");
        else if ((string?)plugin["state"] != state || reason is not null && ((string?)plugin["reason"])?.Contains(reason, StringComparison.Ordinal) != true)
            failures.Add($"{id}: {plugin.ToJsonString()}, expected {state}" + (reason is null ? "" : $" saying '{reason}'"));
        using var health = await host.Client.GetAsync("/healthz", cancellationToken);
        if (health.StatusCode != HttpStatusCode.OK) failures.Add($"/healthz answered {(int)health.StatusCode} with {id} {state}");
    }
}
