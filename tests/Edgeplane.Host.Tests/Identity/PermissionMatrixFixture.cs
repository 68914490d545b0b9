using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Host.Tests.Identity;

/// <summary>One real host with all five first-party plugins, the matrix's credentials, and objects of the team for the routes that name one.</summary>
public sealed class PermissionMatrixFixture : IAsyncLifetime
{
    public HostProcess Host { get; private set; } = null!;
    public MatrixCredentials Credentials { get; private set; } = null!;
    public JsonObject OpenApi { get; private set; } = null!;
    public string Zone { get; } = $"m{Guid.NewGuid():N}"[..12] + ".example.com";
    public string RolloutGroupId { get; private set; } = "";
    public string IncidentId { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Host = await HostProcess.StartAsync(new HostOptions
        {
            Environment = new()
            {
                ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Plugins__rollouts__DeviceApi__Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Edgeplane__Identity__AllowSignup"] = "true",
            },
        });
        OpenApi = (await Host.Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        Credentials = await MatrixCredentials.CreateAsync(Host);
        using var admin = Host.ClientWithKey(Credentials[Credential.Admin]!);
        await CreateAsync(admin, "/dns/api/zones/add", new { zone = Zone });
        RolloutGroupId = (string)(await CreateAsync(admin, "/rollouts/api/v1/groups", new { name = "matrix", selector = new { matchLabels = new { fleet = "matrix" } } }))["id"]!;
        IncidentId = (string)(await CreateAsync(admin, "/rollouts/api/v1/incidents", new { title = "matrix", severity = "low" }))["id"]!;
    }

    private static async Task<JsonObject> CreateAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The team's own object for a path parameter, or null when the route is tried with one that does not exist.</summary>
    public string? TeamObject(ApiOperation operation, string parameter) => (operation.Plugin, parameter) switch
    {
        ("dns", "zone") => Zone,
        ("ebpf" or "host", "teamId") => Credentials.TeamId,
        ("rollouts", "id") when operation.Path.StartsWith("/rollouts/api/v1/groups/", StringComparison.Ordinal) => RolloutGroupId,
        ("rollouts", "id") when operation.Path.StartsWith("/rollouts/api/v1/incidents/", StringComparison.Ordinal)
            || operation.Path.StartsWith("/rollouts/api/v1/reports/incidents/", StringComparison.Ordinal) => IncidentId,
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
    }
}
