using System.Text.Json.Nodes;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Host.Tests.Units;

/// <summary>What the permission matrix derives from an operation's declarations in the OpenAPI document.</summary>
public sealed class RouteAccessTests
{
    private static readonly Dictionary<string, string> LowestRoles = new() { ["dns.admin"] = "admin", ["dns.zones.read"] = "viewer" };

    private static ApiOperation Operation(string declarations) =>
        Assert.Single(ApiOperation.Read(JsonNode.Parse("""{"paths":{"/x":{"get":{"tags":["dns"],"security":[{"bearer":[]}]""" + declarations + "}}}}")!.AsObject()));

    [Fact]
    public void A_route_that_declares_nothing_about_its_caller_derives_nothing_so_the_matrix_fails_it_until_it_is_listed()
    {
        Assert.Null(RouteAccess.Derive(Operation(""), LowestRoles));
    }

    [Fact]
    public void A_host_admin_route_is_refused_to_every_team_role_saying_why_and_lets_a_host_admin_in()
    {
        var access = RouteAccess.Derive(Operation(""","x-edgeplane-permissions":["dns.admin"],"x-edgeplane-host-admin":true"""), LowestRoles);

        Assert.Equal(new RouteAccess(Access.HostAdmin, "dns.admin", "admin"), access);
        const string refused = """{"status":403,"detail":"This route is for host administrators: it acts on every team"}""";
        Assert.Null(access!.Verdict(Credential.Admin, 403, refused, namesTheTeamsObject: false));
        Assert.NotNull(access.Verdict(Credential.Admin, 403, """{"status":403,"detail":"Forbidden"}""", namesTheTeamsObject: false));
        Assert.NotNull(access.Verdict(Credential.Admin, 200, "{}", namesTheTeamsObject: false));
        Assert.Null(access.Verdict(Credential.HostAdmin, 200, "{}", namesTheTeamsObject: false));
        Assert.Null(access.Verdict(Credential.HostAdmin, 400, "{}", namesTheTeamsObject: false));
        Assert.NotNull(access.Verdict(Credential.HostAdmin, 403, refused, namesTheTeamsObject: false));
    }

    [Fact]
    public void A_permission_route_needs_its_lowest_role()
    {
        var access = RouteAccess.Derive(Operation(""","x-edgeplane-permissions":["dns.zones.read"]"""), LowestRoles);

        Assert.Equal(new RouteAccess(Access.Permission, "dns.zones.read", "viewer"), access);
        Assert.False(Operation(""","x-edgeplane-permissions":["dns.zones.read"]""").HostAdmin);
    }
}
