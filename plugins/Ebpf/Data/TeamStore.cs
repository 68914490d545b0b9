using Dapper;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>What the plugin keeps per team: counts over its nodes and objects, and deleting all of it.</summary>
public sealed class TeamStore(IDbConnectionFactory db)
{
    /// <summary>Drops the display name earlier versions kept for a team (the host team's name is the one shown now).</summary>
    public async Task ClearDisplayNameAsync(string teamId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM ebpf_teams WHERE team_id = @teamId", new { teamId }, cancellationToken: ct));
    }

    public async Task<(long Nodes, long Programs, long Maps)> CountsAsync(string teamId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var nodes = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ebpf_nodes WHERE team_id = @teamId", new { teamId }, cancellationToken: ct));
        var programs = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ebpf_objects WHERE team_id = @teamId AND kind = 'program' AND disappeared_at IS NULL", new { teamId }, cancellationToken: ct));
        var maps = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ebpf_objects WHERE team_id = @teamId AND kind = 'map' AND disappeared_at IS NULL", new { teamId }, cancellationToken: ct));
        return (nodes, programs, maps);
    }

    /// <summary>Deletes every node, object, history row, enrollment token and the team's profile, in one transaction.</summary>
    public async Task<(int Nodes, int Objects)> DeleteAsync(string teamId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var p = new { teamId };
        var objects = await c.ExecuteAsync(new CommandDefinition("DELETE FROM ebpf_objects WHERE team_id = @teamId", p, tx, cancellationToken: ct));
        var nodes = await c.ExecuteAsync(new CommandDefinition("DELETE FROM ebpf_nodes WHERE team_id = @teamId", p, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM ebpf_enrollment_tokens WHERE team_id = @teamId", p, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM ebpf_teams WHERE team_id = @teamId", p, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (nodes, objects);
    }
}
