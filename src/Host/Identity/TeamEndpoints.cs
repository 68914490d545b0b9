using System.Data.Common;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Identity;

/// <summary>Teams and their members. A team's admin (or a host admin) manages its members; others see a 404.</summary>
public static class TeamEndpoints
{
    public sealed record NewTeam(string? Name);
    public sealed record MemberRole(string? Role);
    public sealed record TeamView(string Id, string Name, DateTimeOffset CreatedAt);
    public sealed record MemberView(string UserId, string Username, string Role);

    public static async Task<IResult> CreateAsync(NewTeam body, ICaller caller, DbConnectionFactory connections, TimeProvider clock, CancellationToken ct)
    {
        var name = body.Name?.Trim();
        var errors = new FieldErrors().Check(name is { Length: >= 2 and <= 100 }, "name", "must be 2-100 characters");
        if (errors.Any) return errors.ToProblem();
        var now = clock.GetUtcNow();
        var team = new TeamView(Ids.New(now), name!, now);
        await using var connection = await connections.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await connection.ExecuteAsync("INSERT INTO host_teams (id, name, name_key, created_at) VALUES (@Id, @Name, @key, @CreatedAt)",
                new { team.Id, team.Name, key = NameKey.Of(team.Name), team.CreatedAt }, transaction);
            await connection.ExecuteAsync("INSERT INTO host_memberships (team_id, user_id, role, created_at) VALUES (@teamId, @userId, @role, @now)",
                new { teamId = team.Id, userId = caller.UserId, role = Roles.Admin, now }, transaction);
            await transaction.CommitAsync(ct);
        }
        catch (DbException e) when (connections.Dialect.IsUniqueViolation(e))
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"a team named '{name}' exists");
        }
        return TypedResults.Created($"/api/v1/teams/{team.Id}", team);
    }

    public static async Task<IResult> RenameAsync(string teamId, NewTeam body, ICaller caller, TeamService teams, DbConnectionFactory connections, CancellationToken ct)
    {
        if (!await IsTeamAdminAsync(connections, caller, teamId, ct)) return TypedResults.NotFound();
        try
        {
            return await teams.RenameAsync(teamId, body.Name ?? "", ct) is { } team
                ? TypedResults.Ok(new TeamView(team.Id, team.Name, team.CreatedAt))
                : TypedResults.NotFound();
        }
        catch (IdentityValidationException e)
        {
            return e.IsConflict ? TypedResults.Problem(statusCode: 409, title: "Conflict", detail: e.Message) : new FieldErrors().Add(e.Field, e.Message).ToProblem();
        }
    }

    public static async Task<IResult> DeleteAsync(string teamId, ICaller caller, TeamService teams, DbConnectionFactory connections, CancellationToken ct)
    {
        if (!await IsTeamAdminAsync(connections, caller, teamId, ct)) return TypedResults.NotFound();
        try
        {
            return await teams.DeleteAsync(teamId, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
        }
        catch (IdentityValidationException e)
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"{e.Field} {e.Message}");
        }
    }

    public static async Task<IResult> ListAsync(ICaller caller, DbConnectionFactory connections, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var sql = caller.IsHostAdmin
            ? "SELECT id AS Id, name AS Name, created_at AS CreatedAt FROM host_teams ORDER BY name"
            : "SELECT t.id AS Id, t.name AS Name, t.created_at AS CreatedAt FROM host_teams t JOIN host_memberships m ON m.team_id = t.id WHERE m.user_id = @UserId ORDER BY t.name";
        return TypedResults.Ok((await connection.QueryAsync<TeamRow>(sql, new { caller.UserId })).Select(r => new TeamView(r.Id, r.Name, r.CreatedAt)));
    }

    public static async Task<IResult> MembersAsync(string teamId, ICaller caller, DbConnectionFactory connections, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        if (!caller.IsHostAdmin && teamId != caller.TeamId) return TypedResults.NotFound();
        var members = await connection.QueryAsync<MemberRow>(
            "SELECT m.user_id AS UserId, u.username AS Username, m.role AS Role FROM host_memberships m JOIN host_users u ON u.id = m.user_id " +
            "WHERE m.team_id = @teamId ORDER BY u.username", new { teamId });
        return TypedResults.Ok(members.Select(m => new MemberView(m.UserId, m.Username, m.Role)));
    }

    public static async Task<IResult> SetMemberAsync(string teamId, string userId, MemberRole body, ICaller caller, DbConnectionFactory connections, ApiKeyCache keys, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors().Check(Roles.Rank(body.Role ?? "") >= 0, "role", "must be viewer, operator or admin");
        if (errors.Any) return errors.ToProblem();
        await using var connection = await connections.OpenAsync(ct);
        if (!await IsTeamAdminAsync(connection, caller, teamId)) return TypedResults.NotFound();
        if (await connection.ExecuteScalarAsync<string?>("SELECT id FROM host_users WHERE id = @userId", new { userId }) is null)
            return new FieldErrors().Add("userId", "no such user").ToProblem();
        await connection.ExecuteAsync(connections.Dialect.Upsert("host_memberships", ["team_id", "user_id"], ["team_id", "user_id", "role", "created_at"]),
            new { team_id = teamId, user_id = userId, role = body.Role, created_at = clock.GetUtcNow() });
        keys.Clear();
        return TypedResults.Ok(new { teamId, userId, role = body.Role });
    }

    public static async Task<IResult> RemoveMemberAsync(string teamId, string userId, ICaller caller, DbConnectionFactory connections, ApiKeyCache keys, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        if (!await IsTeamAdminAsync(connection, caller, teamId)) return TypedResults.NotFound();
        var removed = await connection.ExecuteAsync("DELETE FROM host_memberships WHERE team_id = @teamId AND user_id = @userId", new { teamId, userId });
        keys.Clear();
        return removed == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    private static async Task<bool> IsTeamAdminAsync(DbConnectionFactory connections, ICaller caller, string teamId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await IsTeamAdminAsync(connection, caller, teamId);
    }

    private static async Task<bool> IsTeamAdminAsync(DbConnection connection, ICaller caller, string teamId) =>
        caller.IsHostAdmin || await connection.ExecuteScalarAsync<string?>(
            "SELECT role FROM host_memberships WHERE team_id = @teamId AND user_id = @UserId", new { teamId, caller.UserId }) == Roles.Admin;

    private sealed class TeamRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
    }

    private sealed class MemberRow
    {
        public string UserId { get; set; } = "";
        public string Username { get; set; } = "";
        public string Role { get; set; } = "";
    }
}
