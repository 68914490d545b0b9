using System.Text;

namespace Edgeplane.Testing.Permissions;

/// <summary>
/// Sends one operation with every <see cref="Credential"/> (a host admin's only where the route is for host admins) and
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
            using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path.ToString());
            if (operation.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            if (credentials[credential] is { } key) request.Headers.Authorization = new("Bearer", key);
            using var response = await host.Client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (access.Verdict(credential, (int)response.StatusCode, body, namesTheTeamsObject) is { } wrong)
                failures.Add($"{operation.Key} ({path}) {credential}: {wrong}");
        }
        return failures;
    }
}
