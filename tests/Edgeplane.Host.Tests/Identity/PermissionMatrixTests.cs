using Edgeplane.Host.Identity;
using Edgeplane.Testing;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Host.Tests.Identity;

/// <summary>
/// Every operation in the OpenAPI document of a host with all five plugins, with every <see cref="Credential"/>: the
/// answer is the one its declarations promise (401 without a valid credential; 403 naming the permission for a role
/// below it, or for a key on a session-only route; 404 for another team's object; otherwise 2xx or a 4xx about the
/// request). What a route requires comes from its metadata (the permission in <c>x-edgeplane-permissions</c>, its
/// lowest role from the plugin manifests or the host's own list; session-only routes; host-admin routes, which a host
/// admin's key must get into); a route whose metadata does not say it all (anonymous, any credential, its own
/// credential) is listed in <see cref="Listed"/> with the reason, and a route neither declared nor listed fails.
/// </summary>
public sealed class PermissionMatrixTests(PermissionMatrixFixture fixture) : IClassFixture<PermissionMatrixFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string OwnCredential = "takes the plugin's own credential, not a host key";

    /// <summary>Routes whose OpenAPI metadata does not tell the whole story, and why.</summary>
    private static readonly Dictionary<string, RouteAccess> Listed = new()
    {
        ["GET /healthz"] = new(Access.Anonymous, Reason: "liveness probe"),
        ["GET /readyz"] = new(Access.Anonymous, Reason: "readiness probe"),
        ["GET /metrics"] = new(Access.Anonymous, Reason: "Prometheus scrape on the listener (README: anyone on the listener)"),
        ["POST /api/v1/auth/login"] = new(Access.Anonymous, Reason: "signing in; rate limited per source address"),
        ["GET /api/v1/auth/me"] = new(Access.AnyCredential, Reason: "the caller's own identity"),
        ["GET /api/v1/teams"] = new(Access.AnyCredential, Reason: "the caller's own teams"),
        ["GET /api/v1/organizations"] = new(Access.AnyCredential, Reason: "the organizations of the caller's teams"),
        ["GET /api/v1/api-keys"] = new(Access.AnyCredential, Reason: "the caller's own keys"),
        ["POST /dns/api/auth/signup"] = new(Access.Anonymous, Reason: "the seed's account sign-up (the fixture's operator allows sign-up)"),
        ["POST /dns/api/auth/login"] = new(Access.Anonymous, Reason: "the seed's login; rate limited per source address"),
        ["GET /dns/api/admin"] = new(Access.AnyCredential, Reason: "tells the caller whether it is a host admin"),
        ["POST /ebpf/api/v1/nodes/enroll"] = new(Access.OwnCredential, Reason: OwnCredential + " (an enrollment token)"),
        ["POST /ebpf/api/v1/nodes/{nodeId}/reports"] = new(Access.OwnCredential, Reason: OwnCredential + " (the node's token)"),
        ["GET /rollouts/tuf/{file}"] = new(Access.Anonymous, Reason: "TUF metadata is public and signed; devices fetch it"),
        ["POST /rollouts/api/v1/auth/login"] = new(Access.Anonymous, Reason: "the seed's login; rate limited per source address"),
        ["GET /waf/api/v1/nodes/config"] = new(Access.Permission, "waf.nodes.write", "operator", "a node's own credential, or a key holding waf.nodes.write (NodeAuth)"),
        ["POST /waf/api/v1/nodes/{id}/heartbeat"] = new(Access.Permission, "waf.nodes.write", "operator", "a node's own credential, or a key holding waf.nodes.write (NodeAuth)"),
    };

    [Fact]
    public async Task Every_route_answers_every_credential_as_documented()
    {
        var lowestRoles = DeclaredPermissions.FromManifests(HostProcess.DefaultPluginDirectory);
        foreach (var p in PermissionRegistry.HostPermissions) lowestRoles[p.Name] = p.Role;
        var operations = ApiOperation.Read(fixture.OpenApi);
        Assert.Equal(["compute", "dns", "ebpf", "host", "rollouts", "waf"], operations.Select(o => o.Plugin ?? "").Distinct().Order().ToArray());

        var matrix = new PermissionMatrix(fixture.Host, fixture.Credentials, fixture.TeamObject);
        var failures = new List<string>();
        foreach (var operation in operations.OrderBy(Destructiveness).ThenBy(o => o.Key, StringComparer.Ordinal))
        {
            var access = Listed.GetValueOrDefault(operation.Key) ?? RouteAccess.Derive(operation, lowestRoles);
            if (access is null)
            {
                failures.Add($"{operation.Key}: declares neither a permission nor session-only, and is not listed with a reason");
                continue;
            }
            if (access.Access == Access.Permission && access.LowestRole is null)
            {
                failures.Add($"{operation.Key}: requires {access.Permission}, which no manifest declares");
                continue;
            }
            failures.AddRange(await matrix.CheckAsync(operation, access, Ct));
        }
        failures.AddRange(Listed.Keys.Except(operations.Select(o => o.Key)).Select(k => $"{k}: listed, but no such route"));
        Assert.True(failures.Count == 0, $"{failures.Count} wrong answers of {operations.Count} routes × {Enum.GetValues<Credential>().Length} credentials:\n" + string.Join("\n", failures));
    }

    /// <summary>Reads first, then changes, then deletions, and the deletion of the team itself last of all.</summary>
    private static int Destructiveness(ApiOperation o) =>
        o.Method == "DELETE" && o.Path.EndsWith("/teams/{teamId}", StringComparison.Ordinal) ? 3
        : o.Method == "DELETE" || o.Path.Contains("delete", StringComparison.OrdinalIgnoreCase) ? 2
        : o.Method is "GET" or "HEAD" ? 0 : 1;
}
