using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;
using Edgeplane.Testing.Conformance;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>The eBPF plugin alone.</summary>
public sealed class EbpfConformanceHost : ConformanceHost
{
    public override string PluginFolder => Path.Combine(HostProcess.DefaultPluginDirectory, "Edgeplane.Plugins.Ebpf");
}

/// <summary>The conformance kit on the eBPF plugin.</summary>
public sealed class EbpfConformanceTests(EbpfConformanceHost host) : PluginConformance<EbpfConformanceHost>(host)
{
    private const string OwnCredential = "takes the plugin's own credential, not a host key";

    protected override IReadOnlyDictionary<string, RouteAccess> Listed { get; } = new Dictionary<string, RouteAccess>
    {
        ["POST /ebpf/api/v1/nodes/enroll"] = new(Access.OwnCredential, Reason: OwnCredential + " (an enrollment token)"),
        ["POST /ebpf/api/v1/nodes/{nodeId}/reports"] = new(Access.OwnCredential, Reason: OwnCredential + " (the node's token)"),
    };

    protected override Task<Func<ApiOperation, string, string?>> CreateTeamObjectsAsync(HttpClient teamAdmin, string teamId) =>
        Task.FromResult<Func<ApiOperation, string, string?>>((_, parameter) => parameter == "teamId" ? teamId : null);

    protected override async Task<IReadOnlyCollection<string>> CreateTeamDataAsync(TeamAdmin team)
    {
        using var response = await team.Key.PostAsJsonAsync($"/ebpf/api/v1/teams/{team.TeamId}/enrollment-tokens", new { name = "doomed" }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        return [(string)body!["token"]!["id"]!];
    }
}
