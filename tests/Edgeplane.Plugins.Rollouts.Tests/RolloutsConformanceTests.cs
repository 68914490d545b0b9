using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;
using Edgeplane.Testing.Conformance;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>The Rollouts plugin alone, its device API on a free port of 127.0.0.1.</summary>
public sealed class RolloutsConformanceHost : ConformanceHost
{
    public override string PluginFolder => Path.Combine(HostProcess.DefaultPluginDirectory, "Edgeplane.Plugins.Rollouts");

    public override Dictionary<string, string?> Settings() => new()
    {
        ["Edgeplane__Plugins__rollouts__DeviceApi__Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The conformance kit on the Rollouts plugin (a team's enrolled devices go with it too: <see cref="TeamDeletionTests"/>).</summary>
public sealed class RolloutsConformanceTests(RolloutsConformanceHost host) : PluginConformance<RolloutsConformanceHost>(host)
{
    protected override IReadOnlyDictionary<string, RouteAccess> Listed { get; } = new Dictionary<string, RouteAccess>
    {
        ["GET /rollouts/tuf/{file}"] = new(Access.Anonymous, Reason: "TUF metadata is public and signed; devices fetch it"),
        ["POST /rollouts/api/v1/auth/login"] = new(Access.Anonymous, Reason: "the seed's login; rate limited per source address"),
    };

    protected override IReadOnlyDictionary<string, string> KeptAfterTeamDeletion => RolloutsTeamData.Kept;

    protected override async Task<Func<ApiOperation, string, string?>> CreateTeamObjectsAsync(HttpClient teamAdmin, string teamId)
    {
        var group = await CreateAsync(teamAdmin, "/rollouts/api/v1/groups", new { name = "matrix", selector = new { matchLabels = new { fleet = "matrix" } } });
        var incident = await CreateAsync(teamAdmin, "/rollouts/api/v1/incidents", new { title = "matrix", severity = "low" });
        return (operation, parameter) => parameter != "id" ? null
            : operation.Path.StartsWith("/rollouts/api/v1/groups/", StringComparison.Ordinal) ? group
            : operation.Path.StartsWith("/rollouts/api/v1/incidents/", StringComparison.Ordinal)
              || operation.Path.StartsWith("/rollouts/api/v1/reports/incidents/", StringComparison.Ordinal) ? incident
            : null;
    }

    protected override Task<IReadOnlyCollection<string>> CreateTeamDataAsync(TeamAdmin team) => RolloutsTeamData.CreateAsync(team, null, null, null);

    [Fact]
    public async Task A_report_is_documented_as_json_and_as_pdf_and_the_audit_trail_as_json_lines_and_csv()
    {
        var paths = JsonNode.Parse(await Host.Client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!["paths"]!;
        JsonNode Schema(string path, string contentType) =>
            paths[path]?["get"]?["responses"]?["200"]?["content"]?[contentType]?["schema"] ?? throw new Xunit.Sdk.XunitException($"GET {path}: no {contentType} schema");
        Assert.EndsWith("ReadinessReport", (string?)Schema("/rollouts/api/v1/reports/readiness", "application/json")["$ref"]);
        Assert.Equal("binary", (string?)Schema("/rollouts/api/v1/reports/readiness", "application/pdf")["format"]);
        Assert.EndsWith("AuditEntry", (string?)Schema("/rollouts/api/v1/audit-trail", "application/x-ndjson")["$ref"]);
        Assert.Equal("string", (string?)Schema("/rollouts/api/v1/audit-trail", "text/csv")["type"]);
    }

    private static async Task<string> CreateAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return (string)JsonNode.Parse(text)!["id"]!;
    }
}
