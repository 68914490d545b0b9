using System.Data.Common;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Identity;

/// <summary>Organizations group teams. Host admins create them and attach teams; members see their teams' organizations.</summary>
public static class OrganizationEndpoints
{
    public sealed record NewOrganization(string? Name);
    public sealed record TeamOrganization(string? OrganizationId);
    public sealed record OrganizationView(string Id, string Name, DateTimeOffset CreatedAt);

    public static void MapOrganizations(this RouteGroupBuilder api)
    {
        api.MapPost("/organizations", CreateAsync).RequireSession(SessionReasons.Organizations).RequireHostAdmin();
        api.MapGet("/organizations", ListAsync);
        api.MapPut("/teams/{teamId}/organization", AttachAsync).RequireSession(SessionReasons.Organizations).RequireHostAdmin();
    }

    private static async Task<IResult> CreateAsync(NewOrganization body, DbConnectionFactory connections, TimeProvider clock, CancellationToken ct)
    {
        var name = body.Name?.Trim();
        var errors = new FieldErrors().Check(name is { Length: >= 2 and <= 100 }, "name", "must be 2-100 characters");
        if (errors.Any) return errors.ToProblem();
        var now = clock.GetUtcNow();
        var organization = new OrganizationView(Ids.New(now), name!, now);
        await using var connection = await connections.OpenAsync(ct);
        try
        {
            await connection.ExecuteAsync("INSERT INTO host_organizations (id, name, name_key, created_at) VALUES (@Id, @Name, @key, @CreatedAt)",
                new { organization.Id, organization.Name, key = NameKey.Of(organization.Name), organization.CreatedAt });
        }
        catch (DbException e) when (connections.Dialect.IsUniqueViolation(e))
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"an organization named '{name}' exists");
        }
        return TypedResults.Created($"/api/v1/organizations/{organization.Id}", organization);
    }

    private static async Task<IResult> ListAsync(ICaller caller, DbConnectionFactory connections, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var sql = caller.IsHostAdmin
            ? "SELECT id AS Id, name AS Name, created_at AS CreatedAt FROM host_organizations ORDER BY name"
            : "SELECT DISTINCT o.id AS Id, o.name AS Name, o.created_at AS CreatedAt FROM host_organizations o " +
              "JOIN host_teams t ON t.organization_id = o.id JOIN host_memberships m ON m.team_id = t.id WHERE m.user_id = @UserId ORDER BY o.name";
        var rows = await connection.QueryAsync<OrganizationRow>(sql, new { caller.UserId });
        return TypedResults.Ok(rows.Select(r => new OrganizationView(r.Id, r.Name, r.CreatedAt)));
    }

    private static async Task<IResult> AttachAsync(string teamId, TeamOrganization body, DbConnectionFactory connections, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        if (body.OrganizationId is not null &&
            await connection.ExecuteScalarAsync<string?>("SELECT id FROM host_organizations WHERE id = @OrganizationId", body) is null)
            return new FieldErrors().Add("organizationId", "no such organization").ToProblem();
        var updated = await connection.ExecuteAsync("UPDATE host_teams SET organization_id = @OrganizationId WHERE id = @teamId", new { teamId, body.OrganizationId });
        return updated == 0 ? TypedResults.NotFound() : TypedResults.Ok(new { teamId, body.OrganizationId });
    }

    private sealed class OrganizationRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
    }
}
