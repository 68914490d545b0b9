using System.Net;
using System.Text;

namespace Edgeplane.Plugins.Rollouts.Tests.Artifacts;

/// <summary>
/// Every part-2 operator route against viewer / operator / admin API keys and no credential. The requests name objects
/// that do not exist or carry invalid bodies, so an allowed call answers 400/404/409/415 and changes nothing.
/// </summary>
[Collection(ArtifactsCollection.Name)]
public sealed class PartTwoPermissionTests(ArtifactsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly string[] Roles = ["viewer", "operator", "admin"];

    /// <summary>method, path, body, content type, lowest role, permission.</summary>
    public static TheoryData<string, string, string?, string, string, string> Routes => new()
    {
        { "POST", "/api/v1/artifacts", "{}", "application/json", "operator", "rollouts.artifacts.write" },
        { "GET", "/api/v1/artifacts", null, "", "viewer", "rollouts.artifacts.read" },
        { "GET", "/api/v1/artifacts/nope", null, "", "viewer", "rollouts.artifacts.read" },
        { "PATCH", "/api/v1/artifacts/nope", "{}", "application/json", "operator", "rollouts.artifacts.write" },
        { "POST", "/api/v1/artifacts/nope/sboms", "{}", "application/spdx+json", "operator", "rollouts.artifacts.write" },
        { "GET", "/api/v1/artifacts/nope/sboms", null, "", "viewer", "rollouts.artifacts.read" },
        { "GET", "/api/v1/artifacts/nope/sboms/nope", null, "", "viewer", "rollouts.artifacts.read" },
        { "GET", "/api/v1/artifacts/nope/sboms/nope/components", null, "", "viewer", "rollouts.artifacts.read" },
        { "GET", "/api/v1/tuf", null, "", "viewer", "rollouts.artifacts.read" },
        { "GET", "/tuf/targets/a/b/0000000000000000000000000000000000000000000000000000000000000000.bin", null, "", "viewer", "rollouts.artifacts.read" },
        { "POST", "/api/v1/tuf/rotate", """{"roles":["nope"]}""", "application/json", "admin", "rollouts.tuf.rotate" },
        { "POST", "/api/v1/registries", "{}", "application/json", "admin", "rollouts.registries.write" },
        { "GET", "/api/v1/registries", null, "", "viewer", "rollouts.registries.read" },
        { "GET", "/api/v1/registries/nope", null, "", "viewer", "rollouts.registries.read" },
        { "GET", "/api/v1/registries/nope/repositories", null, "", "viewer", "rollouts.registries.read" },
        { "GET", "/api/v1/registries/nope/tags?repository=a", null, "", "viewer", "rollouts.registries.read" },
        { "POST", "/api/v1/registries/nope/import", "{}", "application/json", "operator", "rollouts.artifacts.write" },
        { "POST", "/api/v1/rollouts", "{}", "application/json", "operator", "rollouts.rollouts.write" },
        { "GET", "/api/v1/rollouts", null, "", "viewer", "rollouts.rollouts.read" },
        { "GET", "/api/v1/rollouts/nope", null, "", "viewer", "rollouts.rollouts.read" },
        { "POST", "/api/v1/rollouts/nope/approve", null, "", "operator", "rollouts.rollouts.approve" },
        { "POST", "/api/v1/rollouts/nope/resume", null, "", "operator", "rollouts.rollouts.write" },
        { "POST", "/api/v1/rollouts/nope/abort", null, "", "operator", "rollouts.rollouts.write" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Each_role_gets_what_the_route_declares(string method, string path, string? body, string contentType, string lowest, string permission)
    {
        HttpRequestMessage Request() => new(new HttpMethod(method), "/rollouts" + path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, contentType),
        };
        var failures = new List<string>();
        foreach (var role in Roles)
        {
            using var client = fixture.Key(role);
            using var response = await client.SendAsync(Request(), Ct);
            var allowed = Array.IndexOf(Roles, role) >= Array.IndexOf(Roles, lowest);
            var text = await response.Content.ReadAsStringAsync(Ct);
            if (allowed && response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized && !(permission == "rollouts.tuf.rotate" && text.Contains("host administrator")))
                failures.Add($"{role}: {(int)response.StatusCode} {text}");
            if (!allowed && (response.StatusCode != HttpStatusCode.Forbidden || !text.Contains(permission)))
                failures.Add($"{role}: expected 403 naming {permission}, got {(int)response.StatusCode} {text}");
            if (allowed && (int)response.StatusCode is >= 200 and < 300 && method != "GET")
                failures.Add($"{role}: a write with an invalid body succeeded: {(int)response.StatusCode}");
        }
        using (var anonymous = await fixture.Host.Client.SendAsync(Request(), Ct))
            if (anonymous.StatusCode != HttpStatusCode.Unauthorized) failures.Add($"anonymous: {(int)anonymous.StatusCode}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
