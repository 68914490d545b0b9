using Edgeplane.Testing;
using Edgeplane.Testing.Conformance;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>The WAF plugin alone, its proxy on a free port of 127.0.0.1 in front of an upstream nothing listens on.</summary>
public sealed class WafConformanceHost : ConformanceHost
{
    public override string PluginFolder => Path.Combine(HostProcess.DefaultPluginDirectory, "Edgeplane.Plugins.Waf");

    public override Dictionary<string, string?> Settings() => new()
    {
        ["Edgeplane__Plugins__waf__Proxy__Listen"] = $"http://127.0.0.1:{FreePort.Next()}",
        ["Edgeplane__Plugins__waf__Proxy__Upstream"] = $"http://127.0.0.1:{FreePort.Next()}",
    };
}

/// <summary>The conformance kit on the WAF plugin. Its rules, lists, policies and nodes belong to the host, not to a team.</summary>
public sealed class WafConformanceTests(WafConformanceHost host) : PluginConformance<WafConformanceHost>(host)
{
    private const string NodeAuth = "a node's own credential, or a key holding waf.nodes.write (NodeAuth)";

    protected override IReadOnlyDictionary<string, RouteAccess> Listed { get; } = new Dictionary<string, RouteAccess>
    {
        ["GET /waf/api/v1/nodes/config"] = new(Access.Permission, "waf.nodes.write", "operator", NodeAuth),
        ["POST /waf/api/v1/nodes/{id}/heartbeat"] = new(Access.Permission, "waf.nodes.write", "operator", NodeAuth),
    };

    protected override Task<IReadOnlyCollection<string>> CreateTeamDataAsync(TeamAdmin team) => Task.FromResult<IReadOnlyCollection<string>>([]);
}
