using System.Net;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Plugins.Rollouts.Tests.Evidence;

/// <summary>
/// The evidence routes (incidents, reports, vulnerabilities, branding, audit export) against viewer / operator / admin API keys and
/// sessions, and no credential; requests name objects that do not exist or carry invalid input, so an allowed call changes nothing.
/// Branding GET/DELETE of the logo and a successful write are covered in ReportsTests. The CA rotation routes need a host
/// administrator (CaRotationTests).
/// </summary>
[Collection(RolloutsCollection.Name)]
public sealed class EvidencePermissionTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>method, path, body, lowest role, permission, session only.</summary>
    public static TheoryData<string, string, string?, string, string, bool> Routes => new()
    {
        { "POST", "/incidents", "{}", "operator", "rollouts.incidents.write", false },
        { "GET", "/incidents", null, "viewer", "rollouts.incidents.read", false },
        { "GET", "/incidents/nope", null, "viewer", "rollouts.incidents.read", false },
        { "PATCH", "/incidents/nope", "{}", "operator", "rollouts.incidents.write", false },
        { "PUT", "/incidents/nope/devices/no-such-device", null, "operator", "rollouts.incidents.write", false },
        { "DELETE", "/incidents/nope/devices/no-such-device", null, "operator", "rollouts.incidents.write", false },
        { "PUT", "/incidents/nope/artifacts/nope", null, "operator", "rollouts.incidents.write", false },
        { "DELETE", "/incidents/nope/artifacts/nope", null, "operator", "rollouts.incidents.write", false },
        { "GET", "/reports/readiness?format=docx", null, "viewer", "rollouts.reports.read", false },
        { "GET", "/reports/vulnerabilities?format=docx", null, "viewer", "rollouts.reports.read", false },
        { "GET", "/reports/incidents?format=docx", null, "viewer", "rollouts.reports.read", false },
        { "GET", "/reports/incidents/nope", null, "viewer", "rollouts.reports.read", false },
        { "POST", "/vulnerabilities", "42", "operator", "rollouts.vulnerabilities.write", false },
        { "GET", "/vulnerabilities?limit=0", null, "viewer", "rollouts.vulnerabilities.read", false },
        { "DELETE", "/vulnerabilities/nope", null, "operator", "rollouts.vulnerabilities.write", false },
        { "GET", "/report-branding", null, "viewer", "rollouts.branding.read", false },
        { "PUT", "/report-branding", """{"primaryColor":"red"}""", "admin", "rollouts.branding.write", false },
        { "GET", "/report-branding/logo", null, "viewer", "rollouts.branding.read", false },
        { "PUT", "/report-branding/logo", "not an image", "admin", "rollouts.branding.write", false },
        { "GET", "/audit-trail?format=xml", null, "admin", "rollouts.audit.read", false },
    };

    private static HttpRequestMessage Request(string method, string path, string? body) =>
        new(new HttpMethod(method), "/rollouts/api/v1" + path)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Each_role_and_credential_gets_what_the_route_declares(string method, string path, string? body, string lowest, string permission, bool sessionOnly)
    {
        var failures = new List<string>();
        var access = new RouteAccess(sessionOnly ? Access.SessionOnly : Access.Permission, permission, lowest);
        foreach (var role in RolloutsFixture.RoleNames)
        {
            foreach (var kind in new[] { "key", "session" })
            {
                // Logging a fixture session out would end it for the other tests.
                if (path == "/auth/logout" && kind == "session") continue;
                var client = kind == "key" ? fixture.Key(role) : fixture.Sessions[role];
                using var response = await client.SendAsync(Request(method, path, body), Ct);
                if (access.Verdict(role, kind == "session", (int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct)) is { } wrong)
                    failures.Add($"{role} {kind}: {wrong}");
                if (kind == "key") client.Dispose();
            }
        }
        using var anonymous = await fixture.Host.Client.SendAsync(Request(method, path, body), Ct);
        if (anonymous.StatusCode != HttpStatusCode.Unauthorized) failures.Add($"anonymous: {(int)anonymous.StatusCode}, expected 401");
        Assert.True(failures.Count == 0, $"{method} {path}:\n" + string.Join("\n", failures));
    }
}
