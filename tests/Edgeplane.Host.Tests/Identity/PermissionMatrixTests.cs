using Edgeplane.Host.Identity;
using Edgeplane.Testing;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Host.Tests.Identity;

/// <summary>
/// Every operation of the host's own API with every <see cref="Credential"/>: the answer is the one its declarations promise
/// (401 without a valid credential; 403 naming the permission for a role below it, or for a key on a session-only route; 404
/// for another team's object; otherwise 2xx or a 4xx about the request). What a route requires comes from its metadata (the
/// permission in <c>x-edgeplane-permissions</c> and its lowest role from the host's list; session-only routes; host-admin
/// routes, which a host admin's key must get into); a route whose metadata does not say it all (anonymous, any credential)
/// is listed in <see cref="Listed"/> with the reason, and a route neither declared nor listed fails. Each plugin's routes get
/// the same matrix from the conformance kit in the plugin's test project (<c>PluginConformance</c>).
/// </summary>
public sealed class PermissionMatrixTests(PermissionMatrixFixture fixture) : IClassFixture<PermissionMatrixFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
    };

    [Fact]
    public async Task Every_route_answers_every_credential_as_documented()
    {
        var lowestRoles = PermissionRegistry.HostPermissions.ToDictionary(p => p.Name, p => p.Role);
        var operations = ApiOperation.Read(fixture.OpenApi);
        Assert.Equal(["host"], operations.Select(o => o.Plugin ?? "").Distinct().ToArray());

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
