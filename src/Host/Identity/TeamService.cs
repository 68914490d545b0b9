using System.Data.Common;
using Dapper;
using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Identity;

/// <summary>Renames and deletes host teams; a deletion takes the team's memberships, sessions and keys with it.</summary>
public sealed class TeamService(DbConnectionFactory connections, ApiKeyCache keys, IEventPublisher events) : ITeamService
{
    private const string Columns = "id AS Id, name AS Name, organization_id AS OrganizationId, created_at AS CreatedAt";

    public async Task<TeamInfo?> FindAsync(string teamId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await FindAsync(connection, teamId, null);
    }

    public async Task<TeamInfo?> RenameAsync(string teamId, string name, CancellationToken cancellationToken = default)
    {
        name = name?.Trim() ?? "";
        if (name.Length is < 2 or > 100) throw new IdentityValidationException("name", "must be 2-100 characters");
        await using var connection = await connections.OpenAsync(cancellationToken);
        try
        {
            var changed = await connection.ExecuteAsync("UPDATE host_teams SET name = @name, name_key = @key WHERE id = @teamId", new { teamId, name, key = NameKey.Of(name) });
            return changed == 0 ? null : await FindAsync(connection, teamId, null);
        }
        catch (DbException e) when (connections.Dialect.IsUniqueViolation(e))
        {
            throw new IdentityValidationException("name", $"a team named '{name}' exists", isConflict: true);
        }
    }

    public async Task<bool> DeleteAsync(string teamId, CancellationToken cancellationToken = default)
    {
        TeamInfo? team;
        await using (var connection = await connections.OpenAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            team = await FindAsync(connection, teamId, transaction);
            if (team is null) return false;
            if (await connection.ExecuteScalarAsync<string?>("SELECT username FROM host_users WHERE personal_team_id = @teamId", new { teamId }, transaction) is { } owner)
                throw new IdentityValidationException("teamId", $"is the personal team of user '{owner}'", isConflict: true);
            foreach (var table in (string[])["host_sessions", "host_api_keys", "host_memberships"])
                await connection.ExecuteAsync($"DELETE FROM {table} WHERE team_id = @teamId", new { teamId }, transaction);
            await connection.ExecuteAsync("DELETE FROM host_teams WHERE id = @teamId", new { teamId }, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
        keys.Clear();
        await events.PublishAsync(new TeamDeleted(team), teamId, cancellationToken);
        return true;
    }

    private static async Task<TeamInfo?> FindAsync(DbConnection connection, string teamId, DbTransaction? transaction) =>
        await connection.QuerySingleOrDefaultAsync<TeamRow>($"SELECT {Columns} FROM host_teams WHERE id = @teamId", new { teamId }, transaction) is { } r
            ? new TeamInfo(r.Id, r.Name, r.OrganizationId, r.CreatedAt)
            : null;

    private sealed class TeamRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string? OrganizationId { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
    }
}
