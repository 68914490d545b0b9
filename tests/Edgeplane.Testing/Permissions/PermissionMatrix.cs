using System.Text;

namespace Edgeplane.Testing.Permissions;

/// <summary>
/// Sends one operation with every <see cref="Credential"/> (a host admin's only where the route is for host admins), and
/// with the team's viewer, operator and admin sessions, and
/// compares each answer with the route's <see cref="RouteAccess"/>.
/// Path parameters name the team's real objects where the caller supplies one, otherwise an object that does not
/// exist; bodies are an empty JSON object. So an allowed call answers 2xx or a 4xx about its content, and another
/// team's key meets the team's objects as 404.
/// </summary>
public sealed class PermissionMatrix(HostProcess host, MatrixCredentials credentials, Func<ApiOperation, string, string?> teamObject)
{
    /// <summary>The team's own roles come last, so that a route that deletes the object it names has been tried by everyone else first.</summary>
    private static readonly Credential[] Order =
    [
        Credential.None, Credential.BadKey, Credential.RevokedKey, Credential.ExpiredKey, Credential.OtherTeamAdmin,
        Credential.Viewer, Credential.ViewerMintedByHostAdmin, Credential.Operator, Credential.Admin, Credential.HostAdmin,
    ];

    public async Task<IReadOnlyList<string>> CheckAsync(ApiOperation operation, RouteAccess access, CancellationToken cancellationToken)
    {
        var namesTheTeamsObject = false;
        var path = new StringBuilder();
        foreach (var segment in operation.Path.Split('/').Skip(1))
        {
            path.Append('/');
            if (segment.StartsWith('{') && segment.EndsWith('}'))
            {
                var value = teamObject(operation, segment[1..^1]);
                namesTheTeamsObject |= value is not null;
                path.Append(Uri.EscapeDataString(value ?? "nope-" + segment[1..^1]));
            }
            else path.Append(segment);
        }
        var failures = new List<string>();
        foreach (var credential in Order)
        {
            if (credential == Credential.HostAdmin && access.Access != Access.HostAdmin) continue;
            using var request = Request(operation, path.ToString());
            if (credentials[credential] is { } key) request.Headers.Authorization = new("Bearer", key);
            using var response = await host.Client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (access.Verdict(credential, (int)response.StatusCode, body, namesTheTeamsObject) is { } wrong)
                failures.Add($"{operation.Key} ({path}) {credential}: {wrong}");
            if (SessionOf(credential) is not { } role || !credentials.Sessions.TryGetValue(role, out var session)) continue;
            // Logging a session out, or deleting its team, would end it for the routes tried after this one.
            if (operation.Path.EndsWith("/logout", StringComparison.Ordinal) || ApiOperation.Destructiveness(operation) == 3) continue;
            using var bySession = Request(operation, path.ToString());
            using var sessionResponse = await session.SendAsync(bySession, cancellationToken);
            var sessionBody = await sessionResponse.Content.ReadAsStringAsync(cancellationToken);
            // a team's sessions are no host admin's, whatever else the route allows
            var sessionAccess = operation.HostAdmin ? access with { Access = Access.HostAdmin } : access;
            if (sessionAccess.Verdict(role, session: true, (int)sessionResponse.StatusCode, sessionBody) is { } wrongForSession)
                failures.Add($"{operation.Key} ({path}) {role} session: {wrongForSession}");
        }
        return failures;
    }

    private static HttpRequestMessage Request(ApiOperation operation, string path) => new(new HttpMethod(operation.Method), path)
    {
        Content = operation.Method is "POST" or "PUT" or "PATCH" ? new StringContent("{}", Encoding.UTF8, "application/json") : null,
    };

    /// <summary>The team role whose browser session is tried right after this credential's key.</summary>
    private static string? SessionOf(Credential credential) => credential switch
    {
        Credential.Viewer => "viewer",
        Credential.Operator => "operator",
        Credential.Admin => "admin",
        _ => null,
    };
}
