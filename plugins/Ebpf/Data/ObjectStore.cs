using Dapper;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>Programs and maps (<c>ebpf_objects</c>): each lifetime of a kernel object on a node, current and past.</summary>
public sealed class ObjectStore(IDbConnectionFactory db)
{
    private const string Columns =
        "o.row_id AS RowId, o.node_id AS NodeId, n.name AS NodeName, o.kind AS Kind, o.object_id AS ObjectId, o.type AS Type, " +
        "o.name AS Name, o.detail AS Detail, o.first_seen AS FirstSeen, o.last_seen AS LastSeen, o.disappeared_at AS DisappearedAt, " +
        "n.last_report_at AS NodeLastReportAt";

    private string Paging => db.Dialect.Paging("@limit", "@offset");

    public async Task<Page<ObjectRow>> ListAsync(string teamId, string? nodeId, string? kind, bool history, PageRequest page, CancellationToken ct)
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
            $"SELECT {Columns} FROM ebpf_objects o JOIN ebpf_nodes n ON n.id = o.node_id WHERE {where} ORDER BY {order} {Paging}",
            p, cancellationToken: ct));
        return new Page<ObjectRow>(rows.ToList(), total, page.Take, page.Skip);
    }

    /// <summary>The node's current object with that kernel id, else its most recent lifetime.</summary>
    public async Task<ObjectRow?> GetAsync(string teamId, string nodeId, string kind, long objectId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<ObjectRow>(new CommandDefinition(
            $"SELECT {Columns} FROM ebpf_objects o JOIN ebpf_nodes n ON n.id = o.node_id " +
            "WHERE o.team_id = @teamId AND o.node_id = @nodeId AND o.kind = @kind AND o.object_id = @objectId",
            new { teamId, nodeId, kind, objectId }, cancellationToken: ct));
        return rows.OrderBy(r => r.DisappearedAt is null ? 0 : 1).ThenByDescending(r => r.FirstSeen).FirstOrDefault();
    }
}
