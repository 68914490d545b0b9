using System.Data.Common;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Plugins.Ebpf.Domain;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>The plugin's tables, over the host's connection factory (portable SQL, Dapper).</summary>
public sealed class EbpfStore(IDbConnectionFactory db)
{
    private const string TokenColumns =
        "id AS Id, team_id AS TeamId, name AS Name, prefix AS Prefix, created_by AS CreatedBy, created_at AS CreatedAt, " +
        "expires_at AS ExpiresAt, max_uses AS MaxUses, uses AS Uses, last_used_at AS LastUsedAt, revoked_at AS RevokedAt";

    private const string NodeColumns =
        "id AS Id, team_id AS TeamId, name AS Name, hostname AS Hostname, token_id AS TokenId, agent_version AS AgentVersion, " +
        "kernel_release AS KernelRelease, enrolled_at AS EnrolledAt, last_report_at AS LastReportAt, collected_at AS CollectedAt, " +
        "report_count AS ReportCount, program_count AS ProgramCount, map_count AS MapCount";

    private const string ObjectColumns =
        "o.row_id AS RowId, o.node_id AS NodeId, n.name AS NodeName, o.kind AS Kind, o.object_id AS ObjectId, o.type AS Type, " +
        "o.name AS Name, o.detail AS Detail, o.first_seen AS FirstSeen, o.last_seen AS LastSeen, o.disappeared_at AS DisappearedAt, " +
        "n.last_report_at AS NodeLastReportAt";

    private string Paging => db.Dialect.Paging("@limit", "@offset");

    // ---- teams ----

    /// <summary>Drops the display name earlier versions kept for a team (the host team's name is the one shown now).</summary>
    public async Task ClearTeamDisplayNameAsync(string teamId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM ebpf_teams WHERE team_id = @teamId", new { teamId }, cancellationToken: ct));
    }

    public async Task<(long Nodes, long Programs, long Maps)> TeamCountsAsync(string teamId, CancellationToken ct)
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
    public async Task<(int Nodes, int Objects)> DeleteTeamAsync(string teamId, CancellationToken ct)
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

    // ---- enrollment tokens ----

    public async Task InsertTokenAsync(TokenRow token, string tokenHash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO ebpf_enrollment_tokens (id, team_id, name, prefix, token_hash, created_by, created_at, expires_at, max_uses, uses, last_used_at, revoked_at) " +
            "VALUES (@Id, @TeamId, @Name, @Prefix, @tokenHash, @CreatedBy, @CreatedAt, @ExpiresAt, @MaxUses, 0, NULL, NULL)",
            new { token.Id, token.TeamId, token.Name, token.Prefix, tokenHash, token.CreatedBy, token.CreatedAt, token.ExpiresAt, token.MaxUses },
            cancellationToken: ct));
    }

    public async Task<Page<TokenRow>> ListTokensAsync(string teamId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ebpf_enrollment_tokens WHERE team_id = @teamId", new { teamId }, cancellationToken: ct));
        var rows = await c.QueryAsync<TokenRow>(new CommandDefinition(
            $"SELECT {TokenColumns} FROM ebpf_enrollment_tokens WHERE team_id = @teamId ORDER BY created_at DESC, id DESC {Paging}",
            new { teamId, limit = page.Take, offset = page.Skip }, cancellationToken: ct));
        return new Page<TokenRow>(rows.ToList(), total, page.Take, page.Skip);
    }

    public async Task<TokenRow?> GetTokenAsync(string teamId, string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
            $"SELECT {TokenColumns} FROM ebpf_enrollment_tokens WHERE team_id = @teamId AND id = @id", new { teamId, id }, cancellationToken: ct));
    }

    public async Task<bool> RevokeTokenAsync(string teamId, string id, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ebpf_enrollment_tokens SET revoked_at = @now WHERE team_id = @teamId AND id = @id AND revoked_at IS NULL",
            new { teamId, id, now }, cancellationToken: ct)) > 0;
    }

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
            $"SELECT {TokenColumns} FROM ebpf_enrollment_tokens WHERE token_hash = @tokenHash", new { tokenHash }, tx, cancellationToken: ct));
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

    // ---- nodes ----

    public async Task<Page<NodeRow>> ListNodesAsync(string teamId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ebpf_nodes WHERE team_id = @teamId", new { teamId }, cancellationToken: ct));
        var rows = await c.QueryAsync<NodeRow>(new CommandDefinition(
            $"SELECT {NodeColumns} FROM ebpf_nodes WHERE team_id = @teamId ORDER BY name, id {Paging}",
            new { teamId, limit = page.Take, offset = page.Skip }, cancellationToken: ct));
        return new Page<NodeRow>(rows.ToList(), total, page.Take, page.Skip);
    }

    public async Task<NodeRow?> GetNodeAsync(string teamId, string nodeId, bool withFeatures, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var features = withFeatures ? ", features AS Features" : "";
        return await c.QuerySingleOrDefaultAsync<NodeRow>(new CommandDefinition(
            $"SELECT {NodeColumns}{features} FROM ebpf_nodes WHERE team_id = @teamId AND id = @nodeId", new { teamId, nodeId }, cancellationToken: ct));
    }

    /// <summary>The ids of the team's nodes with this name (a name is not unique; the seed's clients address nodes by it).</summary>
    public async Task<IReadOnlyList<string>> NodeIdsNamedAsync(string teamId, string name, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM ebpf_nodes WHERE team_id = @teamId AND name = @name ORDER BY id", new { teamId, name }, cancellationToken: ct))).AsList();
    }

    public async Task<NodeRow?> FindNodeByCredentialAsync(string credentialHash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<NodeRow>(new CommandDefinition(
            $"SELECT {NodeColumns}, features_hash AS FeaturesHash FROM ebpf_nodes WHERE credential_hash = @credentialHash", new { credentialHash }, cancellationToken: ct));
    }

    /// <summary>Removes a node with its inventory and history; its credential stops working.</summary>
    public async Task<bool> DeleteNodeAsync(string teamId, string nodeId, CancellationToken ct)
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

    // ---- objects ----

    public async Task<Page<ObjectRow>> ListObjectsAsync(string teamId, string? nodeId, string? kind, bool history, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var where = "o.team_id = @teamId" + (kind is null ? "" : " AND o.kind = @kind") + (nodeId is null ? "" : " AND o.node_id = @nodeId") + (history ? "" : " AND o.disappeared_at IS NULL");
        var order = history ? "o.first_seen DESC, o.row_id DESC" : "o.node_id, o.object_id"; // follows ix_ebpf_objects_team
        var p = new { teamId, nodeId, kind, limit = page.Take, offset = page.Skip };
        // Current objects: the nodes' counts are written in the same transaction as the objects, and are
        // much cheaper to sum than counting a team's objects on every page.
        var countColumn = kind == ObjectKinds.Program ? "program_count" : "map_count";
        var total = !history && kind is not null
            ? await c.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT COALESCE(SUM({countColumn}), 0) FROM ebpf_nodes WHERE team_id = @teamId" + (nodeId is null ? "" : " AND id = @nodeId"), p, cancellationToken: ct))
            : await c.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT COUNT(*) FROM ebpf_objects o WHERE {where}", p, cancellationToken: ct));
        var rows = await c.QueryAsync<ObjectRow>(new CommandDefinition(
            $"SELECT {ObjectColumns} FROM ebpf_objects o JOIN ebpf_nodes n ON n.id = o.node_id WHERE {where} ORDER BY {order} {Paging}",
            p, cancellationToken: ct));
        return new Page<ObjectRow>(rows.ToList(), total, page.Take, page.Skip);
    }

    /// <summary>The node's current object with that kernel id, else its most recent lifetime.</summary>
    public async Task<ObjectRow?> GetObjectAsync(string teamId, string nodeId, string kind, long objectId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<ObjectRow>(new CommandDefinition(
            $"SELECT {ObjectColumns} FROM ebpf_objects o JOIN ebpf_nodes n ON n.id = o.node_id " +
            "WHERE o.team_id = @teamId AND o.node_id = @nodeId AND o.kind = @kind AND o.object_id = @objectId",
            new { teamId, nodeId, kind, objectId }, cancellationToken: ct));
        return rows.OrderBy(r => r.DisappearedAt is null ? 0 : 1).ThenByDescending(r => r.FirstSeen).FirstOrDefault();
    }

    // ---- ingestion ----

    /// <summary>
    /// Stores several reports in one transaction (see <see cref="IngestQueue"/>); each replaces its node's
    /// current inventory. A null result: that node is gone. Writes only what changed: unchanged objects are
    /// not touched (a current object was last seen at its node's last report), and the feature report is
    /// rewritten only when its content changed. Reports for one node are applied in order.
    /// </summary>
    public async Task<IngestResult?[]> IngestBatchAsync(IReadOnlyList<(NodeRow Node, AgentReport Report)> reports, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using var inserts = new ObjectInserter(c, tx, ObjectInserter.RowsFor(db.Dialect.Provider));
        await using var updates = new ObjectUpdater(c, tx, db.Dialect.Provider);
        var results = new IngestResult?[reports.Count];
        for (var i = 0; i < reports.Count; i++)
            results[i] = await IngestOneAsync(c, tx, inserts, updates, reports[i].Node, reports[i].Report, now, ct);
        await tx.CommitAsync(ct);
        return results;
    }

    /// <summary>One report, in one transaction. Null when the node is gone.</summary>
    public async Task<IngestResult?> IngestAsync(NodeRow node, AgentReport report, DateTimeOffset now, CancellationToken ct) =>
        (await IngestBatchAsync([(node, report)], now, ct))[0];

    private sealed class NodeState
    {
        public DateTimeOffset? LastReportAt { get; set; }
        public string? FeaturesHash { get; set; }
    }

    private static async Task<IngestResult?> IngestOneAsync(DbConnection c, DbTransaction tx, ObjectInserter inserts, ObjectUpdater updates, NodeRow node, AgentReport report, DateTimeOffset now, CancellationToken ct)
    {
        // Read inside the transaction: an earlier report of the same batch may have changed them.
        var state = await c.QuerySingleOrDefaultAsync<NodeState>(new CommandDefinition(
            "SELECT last_report_at AS LastReportAt, features_hash AS FeaturesHash FROM ebpf_nodes WHERE id = @id", new { id = node.Id }, tx, cancellationToken: ct));
        if (state is null) return null;
        var featuresChanged = state.FeaturesHash != report.FeaturesHash;
        var touched = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ebpf_nodes SET last_report_at = @now, collected_at = @CollectedAt, report_count = report_count + 1, " +
            "agent_version = @AgentVersion, kernel_release = @KernelRelease, hostname = COALESCE(@Hostname, hostname), " +
            // a node enrolled by an agent without machine ids learns its id here, so the machine is recognised when it enrolls again
            "machine_id = COALESCE(machine_id, @MachineId), " +
            "program_count = @programs, map_count = @maps" +
            (featuresChanged ? ", features = @Features, features_hash = @FeaturesHash" : "") + " WHERE id = @id",
            new
            {
                now, report.CollectedAt, report.AgentVersion, report.KernelRelease, report.Hostname, report.MachineId,
                programs = report.ProgramCount, maps = report.MapCount, report.Features, report.FeaturesHash, id = node.Id,
            }, tx, cancellationToken: ct));
        if (touched == 0) return null;

        var current = await c.QueryAsync<CurrentObject>(new CommandDefinition(
            "SELECT row_id AS RowId, kind AS Kind, object_id AS ObjectId, identity AS Identity, detail AS Detail " +
            "FROM ebpf_objects WHERE node_id = @id AND disappeared_at IS NULL", new { id = node.Id }, tx, cancellationToken: ct));
        var changes = InventoryDiff.Compute(current, report.Objects);

        // closed lifetimes were last seen in the previous report
        var lastSeen = state.LastReportAt ?? now;
        foreach (var chunk in changes.Disappeared.Select(r => r.RowId).Chunk(500))
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE ebpf_objects SET disappeared_at = @now, last_seen = @lastSeen WHERE row_id IN @ids",
                new { now, lastSeen, ids = chunk }, tx, cancellationToken: ct));
        foreach (var (row, reported) in changes.Changed)
            await updates.AddAsync(row.RowId, reported.Detail, reported.Name, now, ct);
        await updates.FlushAsync(ct);
        foreach (var o in changes.Appeared)
            await inserts.AddAsync(Ids.New(now), node.TeamId, node.Id, o, now, ct);
        await inserts.FlushAsync(ct);
        return new IngestResult(report.ProgramCount, report.MapCount, changes.Appeared.Count, changes.Disappeared.Count, changes.Changed.Count);
    }
}

