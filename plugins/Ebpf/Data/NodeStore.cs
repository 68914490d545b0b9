using Dapper;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>Nodes (<c>ebpf_nodes</c>): a team's enrolled machines, each with its credential.</summary>
public sealed class NodeStore(IDbConnectionFactory db)
{
    private const string Columns =
        "id AS Id, team_id AS TeamId, name AS Name, hostname AS Hostname, token_id AS TokenId, agent_version AS AgentVersion, " +
        "kernel_release AS KernelRelease, enrolled_at AS EnrolledAt, last_report_at AS LastReportAt, collected_at AS CollectedAt, " +
        "report_count AS ReportCount, program_count AS ProgramCount, map_count AS MapCount";

    private string Paging => db.Dialect.Paging("@limit", "@offset");

    /// <summary>
    /// Exchanges an enrollment token for a node: the token must exist, not be revoked or expired and have uses
    /// left; its use count and the node are written in one transaction. Null when refused. A machine the token's
    /// team already has (the same machine id) gets its node back (<c>Reenrolled</c>): the new credential replaces
    /// the old one, which stops working, and its name, hostname and agent version are updated; its inventory and
    /// history stay.
    /// </summary>
    public async Task<(NodeRow Node, bool Reenrolled)?> EnrollAsync(string tokenHash, NodeRow node, string credentialHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var token = await c.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
            $"SELECT {TokenStore.Columns} FROM ebpf_enrollment_tokens WHERE token_hash = @tokenHash", new { tokenHash }, tx, cancellationToken: ct));
        if (token is null || token.RevokedAt is not null || token.ExpiresAt is { } exp && exp <= now || token.MaxUses is { } max && token.Uses >= max)
            return null;
        var claimed = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ebpf_enrollment_tokens SET uses = uses + 1, last_used_at = @now " +
            "WHERE id = @id AND revoked_at IS NULL AND (max_uses IS NULL OR uses < max_uses)",
            new { now, id = token.Id }, tx, cancellationToken: ct));
        if (claimed != 1) return null;
        node.TeamId = token.TeamId;
        node.TokenId = token.Id;
        var known = node.MachineId is null ? null : await c.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
            "SELECT id FROM ebpf_nodes WHERE team_id = @TeamId AND machine_id = @MachineId ORDER BY enrolled_at, id", new { node.TeamId, node.MachineId }, tx, cancellationToken: ct));
        if (known is not null)
        {
            node.Id = known;
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE ebpf_nodes SET name = @Name, hostname = @Hostname, credential_hash = @credentialHash, token_id = @TokenId, agent_version = @AgentVersion WHERE id = @Id",
                new { node.Id, node.Name, node.Hostname, credentialHash, node.TokenId, node.AgentVersion }, tx, cancellationToken: ct));
        }
        else
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO ebpf_nodes (id, team_id, name, hostname, machine_id, credential_hash, token_id, agent_version, kernel_release, enrolled_at, " +
                "last_report_at, collected_at, report_count, program_count, map_count, features, features_hash) " +
                "VALUES (@Id, @TeamId, @Name, @Hostname, @MachineId, @credentialHash, @TokenId, @AgentVersion, NULL, @EnrolledAt, NULL, NULL, 0, 0, 0, NULL, NULL)",
                new { node.Id, node.TeamId, node.Name, node.Hostname, node.MachineId, credentialHash, node.TokenId, node.AgentVersion, node.EnrolledAt },
                tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return (node, known is not null);
    }

    public async Task<Page<NodeRow>> ListAsync(string teamId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ebpf_nodes WHERE team_id = @teamId", new { teamId }, cancellationToken: ct));
        var rows = await c.QueryAsync<NodeRow>(new CommandDefinition(
            $"SELECT {Columns} FROM ebpf_nodes WHERE team_id = @teamId ORDER BY name, id {Paging}",
            new { teamId, limit = page.Take, offset = page.Skip }, cancellationToken: ct));
        return new Page<NodeRow>(rows.ToList(), total, page.Take, page.Skip);
    }

    public async Task<NodeRow?> GetAsync(string teamId, string nodeId, bool withFeatures, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var features = withFeatures ? ", features AS Features" : "";
        return await c.QuerySingleOrDefaultAsync<NodeRow>(new CommandDefinition(
            $"SELECT {Columns}{features} FROM ebpf_nodes WHERE team_id = @teamId AND id = @nodeId", new { teamId, nodeId }, cancellationToken: ct));
    }

    /// <summary>The ids of the team's nodes with this name (a name is not unique; the seed's clients address nodes by it).</summary>
    public async Task<IReadOnlyList<string>> IdsNamedAsync(string teamId, string name, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM ebpf_nodes WHERE team_id = @teamId AND name = @name ORDER BY id", new { teamId, name }, cancellationToken: ct))).AsList();
    }

    public async Task<NodeRow?> FindByCredentialAsync(string credentialHash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<NodeRow>(new CommandDefinition(
            $"SELECT {Columns}, features_hash AS FeaturesHash FROM ebpf_nodes WHERE credential_hash = @credentialHash", new { credentialHash }, cancellationToken: ct));
    }

    /// <summary>Removes a node with its inventory and history; its credential stops working.</summary>
    public async Task<bool> DeleteAsync(string teamId, string nodeId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var deleted = await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ebpf_nodes WHERE team_id = @teamId AND id = @nodeId", new { teamId, nodeId }, tx, cancellationToken: ct));
        if (deleted == 0) return false;
        await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ebpf_objects WHERE team_id = @teamId AND node_id = @nodeId", new { teamId, nodeId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }
}
