namespace Edgeplane.Testing.Permissions;

/// <summary>Who a route lets in.</summary>
public enum Access
{
    /// <summary>No credential needed.</summary>
    Anonymous,
    /// <summary>Any valid credential, whatever its role.</summary>
    AnyCredential,
    /// <summary>A credential whose role holds the permission.</summary>
    Permission,
    /// <summary>A browser session only (whose role holds <see cref="RouteAccess.Permission"/>, when there is one): every API key gets 403.</summary>
    SessionOnly,
    /// <summary>A host administrator only: every team's key gets 403 saying so, a host admin's key gets in.</summary>
    HostAdmin,
    /// <summary>The route takes a credential of its own (a device's or agent's token): no host key gets a 2xx there.</summary>
    OwnCredential,
}

/// <summary>What a route answers each credential; <see cref="Reason"/> says why when it is not what the route's metadata implies.</summary>
public sealed record RouteAccess(Access Access, string? Permission = null, string? LowestRole = null, string? Reason = null)
{
    /// <summary>
    /// From the operation's declarations: the permissions it requires and the lowest role holding them (from the
    /// manifests), whether it is for sessions only, whether it is for host administrators. Null when the route declares
    /// none of these and must be listed.
    /// </summary>
    public static RouteAccess? Derive(ApiOperation operation, IReadOnlyDictionary<string, string> lowestRoles)
    {
        if (operation.Anonymous) return null;
        var required = operation.Permissions.OrderByDescending(p => lowestRoles.TryGetValue(p, out var role) ? Rank(role) : int.MaxValue).FirstOrDefault();
        var lowestRole = required is null ? null : lowestRoles.GetValueOrDefault(required);
        if (operation.SessionOnly) return new RouteAccess(Access.SessionOnly, required, lowestRole);
        if (operation.HostAdmin) return new RouteAccess(Access.HostAdmin, required, lowestRole);
        return required is null ? null : new RouteAccess(Access.Permission, required, lowestRole);
    }

    /// <summary>Null when <paramref name="status"/> and <paramref name="body"/> are the documented answer to <paramref name="credential"/>; otherwise what is wrong.</summary>
    public string? Verdict(Credential credential, int status, string body, bool namesTheTeamsObject)
    {
        if (status >= 500) return $"{status}, a server error";
        if (Access == Access.Anonymous)
            return credential == Credential.None && status is 401 or 403 ? $"{status}, but the route is anonymous" : null;
        if (Access == Access.OwnCredential)
            return status is >= 200 and < 300 ? $"{status}: a host credential got in" : null;
        if (credential is Credential.None or Credential.BadKey or Credential.RevokedKey or Credential.ExpiredKey)
            return status == 401 ? null : $"{status}, expected 401";
        if (credential == Credential.HostAdmin)
            return Access == Access.HostAdmin && status is 401 or 403 or 429 ? $"{status}, expected a host admin to be allowed: {Cut(body)}" : null;
        var role = credential switch
        {
            Credential.Viewer or Credential.ViewerMintedByHostAdmin => "viewer",
            Credential.Operator => "operator",
            _ => "admin",
        };
        var wrong = Verdict(role, session: false, status, body);
        if (wrong is null && credential == Credential.OtherTeamAdmin && namesTheTeamsObject && status != 403)
            return status == 404 ? null : $"{status}, expected 404 for another team's object";
        return wrong;
    }

    /// <summary>The same for a valid credential of the team with <paramref name="role"/>: an API key, or a browser session.</summary>
    public string? Verdict(string role, bool session, int status, string body)
    {
        if (status >= 500) return $"{status}, a server error";
        if (Access == Access.Anonymous) return null;
        if (Access == Access.OwnCredential) return status is >= 200 and < 300 ? $"{status}: a host credential got in" : null;
        var roleHolds = Permission is null || Rank(role) >= Rank(LowestRole ?? "none");
        var allowed = Access switch
        {
            Access.AnyCredential => true,
            Access.Permission => roleHolds,
            Access.SessionOnly => session && roleHolds,
            _ => false,
        };
        if (allowed) return status is 401 or 403 or 429 ? $"{status}, expected to be allowed: {Cut(body)}" : null;
        if (status != 403) return $"{status}, expected 403";
        if (!roleHolds && Access is Access.Permission or Access.SessionOnly && !body.Contains(Permission!, StringComparison.Ordinal))
            return $"403 does not name {Permission}: {Cut(body)}";
        if (roleHolds && Access == Access.SessionOnly && !body.Contains("session", StringComparison.OrdinalIgnoreCase))
            return $"403 does not say the route is for sessions: {Cut(body)}";
        if (Access == Access.HostAdmin && !body.Contains("host administrator", StringComparison.OrdinalIgnoreCase))
            return $"403 does not say the route is for host administrators: {Cut(body)}";
        return null;
    }

    public static int Rank(string role) => role switch
    {
        "viewer" => 0,
        "operator" => 1,
        "admin" => 2,
        _ => int.MaxValue,
    };

    private static string Cut(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
