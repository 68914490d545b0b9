using System.Data.Common;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Edgeplane.Plugins.Rollouts.Data.Fleet;

namespace Edgeplane.Plugins.Rollouts.Data.Evidence;

public sealed class IncidentRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public string Severity { get; set; } = "";
    public string Status { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A device or artifact an incident concerns; <c>Label</c> keeps its name when it was linked (the object may be deleted later).</summary>
public sealed record IncidentLink(string Kind, string Id, string Label, DateTimeOffset AddedAt);

public sealed record IncidentEvent(string Id, DateTimeOffset At, string? Actor, string Kind, JsonNode? Details);

public sealed record IncidentView(string Id, string Title, string Description, string Severity, string Status, DateTimeOffset OccurredAt,
    DateTimeOffset? ResolvedAt, string? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<IncidentLink> Devices, IReadOnlyList<IncidentLink> Artifacts, IReadOnlyList<IncidentEvent>? Timeline);

public sealed record IncidentFilter(string? Status, string? Severity, string? DeviceId, string? ArtifactId);

/// <summary>Incidents with their linked devices and artifacts and a timeline of every change.</summary>
public sealed class IncidentStore(IDbConnectionFactory db)
{
    public static readonly string[] Severities = ["low", "medium", "high", "critical"];
    public static readonly string[] Statuses = ["open", "investigating", "mitigated", "resolved"];

    private const string Columns = "id AS Id, team_id AS TeamId, title AS Title, description AS Description, severity AS Severity, status AS Status, " +
        "occurred_at AS OccurredAt, resolved_at AS ResolvedAt, created_by AS CreatedBy, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task CreateAsync(IncidentRow row, IReadOnlyList<IncidentLink> links, IncidentEvent created)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO rollouts_incidents (id, team_id, title, description, severity, status, occurred_at, resolved_at, created_by, created_at, updated_at) " +
            "VALUES (@Id, @TeamId, @Title, @Description, @Severity, @Status, @OccurredAt, @ResolvedAt, @CreatedBy, @CreatedAt, @UpdatedAt)", row, tx);
        foreach (var link in links) await InsertLinkAsync(connection, tx, row, link);
        await InsertEventAsync(connection, tx, row, created);
        await tx.CommitAsync();
    }

    public async Task<IncidentRow?> FindAsync(string teamId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<IncidentRow>($"SELECT {Columns} FROM rollouts_incidents WHERE team_id = @teamId AND id = @id", new { teamId, id });
    }

    public async Task<Page<IncidentView>> ListAsync(string teamId, IncidentFilter filter, PageRequest page)
    {
        var where = new StringBuilder("team_id = @teamId");
        if (filter.Status is not null) where.Append(" AND status = @Status");
        if (filter.Severity is not null) where.Append(" AND severity = @Severity");
        if (filter.DeviceId is not null)
            where.Append(" AND id IN (SELECT incident_id FROM rollouts_incident_links WHERE team_id = @teamId AND kind = 'device' AND target_id = @DeviceId)");
        if (filter.ArtifactId is not null)
            where.Append(" AND id IN (SELECT incident_id FROM rollouts_incident_links WHERE team_id = @teamId AND kind = 'artifact' AND target_id = @ArtifactId)");
        var args = new DynamicParameters(filter);
        args.Add("teamId", teamId);
        args.Add("limit", page.Take);
        args.Add("offset", page.Skip);
        await using var connection = await db.OpenAsync();
        var rows = (await connection.QueryAsync<IncidentRow>($"SELECT {Columns} FROM rollouts_incidents WHERE {where} ORDER BY created_at DESC, id DESC {db.Dialect.Paging()}", args)).ToList();
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM rollouts_incidents WHERE {where}", args);
        var views = new List<IncidentView>();
        foreach (var row in rows) views.Add(await ViewAsync(connection, row, timeline: false));
        return new Page<IncidentView>(views, total, page.Take, page.Skip);
    }

    /// <summary>Every incident of a team in a period (for the incident report), oldest first.</summary>
    public async Task<IReadOnlyList<IncidentView>> InPeriodAsync(string teamId, DateTimeOffset? from, DateTimeOffset? to)
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<IncidentRow>(
            $"SELECT {Columns} FROM rollouts_incidents WHERE team_id = @teamId{(from is null ? "" : " AND occurred_at >= @from")}{(to is null ? "" : " AND occurred_at <= @to")} ORDER BY occurred_at, id",
            new { teamId, from, to });
        var views = new List<IncidentView>();
        foreach (var row in rows) views.Add(await ViewAsync(connection, row, timeline: true));
        return views;
    }

    public async Task<IncidentView> ViewAsync(IncidentRow row, bool timeline = true)
    {
        await using var connection = await db.OpenAsync();
        return await ViewAsync(connection, row, timeline);
    }

    private static async Task<IncidentView> ViewAsync(DbConnection connection, IncidentRow row, bool timeline)
    {
        var links = (await connection.QueryAsync<(string Kind, string TargetId, string Label, DateTimeOffset AddedAt)>(
            "SELECT kind, target_id, label, added_at FROM rollouts_incident_links WHERE incident_id = @Id ORDER BY added_at, target_id", new { row.Id }))
            .Select(l => new IncidentLink(l.Kind, l.TargetId, l.Label, l.AddedAt)).ToList();
        List<IncidentEvent>? events = null;
        if (timeline)
            events = (await connection.QueryAsync<(string Id, DateTimeOffset At, string? Actor, string Kind, string Details)>(
                "SELECT id, at, actor, kind, details FROM rollouts_incident_events WHERE incident_id = @Id ORDER BY at, id", new { row.Id }))
                .Select(e => new IncidentEvent(e.Id, e.At, e.Actor, e.Kind, Json.Node(e.Details))).ToList();
        return new IncidentView(row.Id, row.Title, row.Description, row.Severity, row.Status, row.OccurredAt, row.ResolvedAt, row.CreatedBy, row.CreatedAt,
            row.UpdatedAt, links.Where(l => l.Kind == "device").ToList(), links.Where(l => l.Kind == "artifact").ToList(), events);
    }

    public async Task UpdateAsync(IncidentRow row, IncidentEvent change)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            "UPDATE rollouts_incidents SET title = @Title, description = @Description, severity = @Severity, status = @Status, occurred_at = @OccurredAt, " +
            "resolved_at = @ResolvedAt, updated_at = @UpdatedAt WHERE id = @Id", row, tx);
        await InsertEventAsync(connection, tx, row, change);
        await tx.CommitAsync();
    }

    /// <summary>Adds a link; false when it was there already.</summary>
    public async Task<bool> LinkAsync(IncidentRow row, IncidentLink link, IncidentEvent change)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var exists = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM rollouts_incident_links WHERE incident_id = @incident AND kind = @Kind AND target_id = @Id", new { incident = row.Id, link.Kind, link.Id }, tx) > 0;
        if (exists) return false;
        await InsertLinkAsync(connection, tx, row, link);
        await connection.ExecuteAsync("UPDATE rollouts_incidents SET updated_at = @at WHERE id = @id", new { at = change.At, id = row.Id }, tx);
        await InsertEventAsync(connection, tx, row, change);
        await tx.CommitAsync();
        return true;
    }

    public async Task<bool> UnlinkAsync(IncidentRow row, string kind, string targetId, IncidentEvent change)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var removed = await connection.ExecuteAsync("DELETE FROM rollouts_incident_links WHERE incident_id = @incident AND kind = @kind AND target_id = @targetId",
            new { incident = row.Id, kind, targetId }, tx) == 1;
        if (!removed) return false;
        await connection.ExecuteAsync("UPDATE rollouts_incidents SET updated_at = @at WHERE id = @id", new { at = change.At, id = row.Id }, tx);
        await InsertEventAsync(connection, tx, row, change);
        await tx.CommitAsync();
        return true;
    }

    /// <summary>An artifact of the team by id, labelled <c>name@version</c>; null when absent.</summary>
    /// <summary>The artifact's <c>name@version</c>; null when there is none (or no artifacts table: a host without part 2's migration).</summary>
    public async Task<string?> ArtifactLabelAsync(string teamId, string artifactId)
    {
        await using var connection = await db.OpenAsync();
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<(string Name, string Version)?>(
                "SELECT name, version FROM rollouts_artifacts WHERE team_id = @teamId AND id = @artifactId", new { teamId, artifactId });
            return row is { } r ? $"{r.Name}@{r.Version}" : null;
        }
        catch (DbException)
        {
            return null;
        }
    }

    private static Task InsertLinkAsync(DbConnection connection, DbTransaction tx, IncidentRow row, IncidentLink link) =>
        connection.ExecuteAsync("INSERT INTO rollouts_incident_links (incident_id, team_id, kind, target_id, label, added_at) VALUES (@incident, @team, @Kind, @Id, @Label, @AddedAt)",
            new { incident = row.Id, team = row.TeamId, link.Kind, link.Id, link.Label, link.AddedAt }, tx);

    private static Task InsertEventAsync(DbConnection connection, DbTransaction tx, IncidentRow row, IncidentEvent e) =>
        connection.ExecuteAsync("INSERT INTO rollouts_incident_events (id, incident_id, team_id, at, actor, kind, details) VALUES (@Id, @incident, @team, @At, @Actor, @Kind, @details)",
            new { e.Id, incident = row.Id, team = row.TeamId, e.At, e.Actor, e.Kind, details = e.Details?.ToJsonString() ?? "{}" }, tx);
}
