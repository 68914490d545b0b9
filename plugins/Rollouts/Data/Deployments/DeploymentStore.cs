using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Edgeplane.Abstractions.Events;
using Edgeplane.Plugins.Rollouts.Data.Fleet;

namespace Edgeplane.Plugins.Rollouts.Data.Deployments;

/// <summary>Rollouts (<c>rollouts_rollouts</c>) and their per-device state (<c>rollouts_deployment_devices</c>).</summary>
public sealed class DeploymentStore(IDbConnectionFactory db, TimeProvider clock)
{
    public static readonly string[] Active = ["pending", "downloading", "installing"];
    public static readonly string[] DeviceStates = ["pending", "downloading", "installing", "succeeded", "failed", "aborted"];

    private const string Columns = """
        id AS Id, team_id AS TeamId, name AS Name, artifact_id AS ArtifactId, group_id AS GroupId, phases AS Phases, failure_threshold AS FailureThreshold,
        requires_approval AS RequiresApproval, state AS State, current_phase AS CurrentPhase, phase_started_at AS PhaseStartedAt, phase_history AS PhaseHistory,
        failure_baseline AS FailureBaseline, paused_reason AS PausedReason, created_by AS CreatedBy, approved_by AS ApprovedBy, approved_at AS ApprovedAt,
        created_at AS CreatedAt, updated_at AS UpdatedAt, finished_at AS FinishedAt
        """;

    /// <summary>Phase of each device: devices ordered by a hash of (rollout, device), the first ceil(N·p/100) in the phase with cumulative share p.</summary>
    public static Dictionary<string, int> AssignPhases(string rolloutId, IReadOnlyList<string> deviceIds, IReadOnlyList<Phase> phases)
    {
        var ordered = deviceIds.OrderBy(d => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(rolloutId + ":" + d))), StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, int>();
        var n = ordered.Count;
        var index = 0;
        for (var p = 0; p < phases.Count; p++)
        {
            var upTo = p == phases.Count - 1 ? n : Math.Max(index == 0 && n > 0 ? 1 : 0, (int)Math.Ceiling(n * phases[p].Percent / 100.0));
            for (; index < Math.Min(upTo, n); index++) result[ordered[index]] = p;
        }
        return result;
    }

    public async Task CreateAsync(RolloutRow rollout, IReadOnlyDictionary<string, int> devicePhases)
    {
        await using var conn = await db.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO rollouts_rollouts (id, team_id, name, artifact_id, group_id, phases, failure_threshold, requires_approval, state, current_phase,
              phase_started_at, phase_history, failure_baseline, paused_reason, created_by, approved_by, approved_at, created_at, updated_at, finished_at)
            VALUES (@Id, @TeamId, @Name, @ArtifactId, @GroupId, @Phases, @FailureThreshold, @RequiresApproval, @State, @CurrentPhase,
              @PhaseStartedAt, @PhaseHistory, @FailureBaseline, @PausedReason, @CreatedBy, @ApprovedBy, @ApprovedAt, @CreatedAt, @UpdatedAt, @FinishedAt)
            """, rollout, tx);
        // the device's name and type are kept with its record: the record outlives the device (evidence is never lost)
        await conn.ExecuteAsync("""
            INSERT INTO rollouts_deployment_devices (rollout_id, device_id, team_id, phase, state, message, rollout_created_at, released, abort_notified, started_at, updated_at,
              device_name, device_type)
            SELECT @rollout, id, @team, @phase, 'pending', '', @created, @no, @no, NULL, @created, name, device_type FROM rollouts_devices WHERE id = @device AND team_id = @team
            """, devicePhases.Select(d => new { rollout = rollout.Id, device = d.Key, team = rollout.TeamId, phase = d.Value, created = rollout.CreatedAt, no = false }), tx);
        await AddHistoryAsync(conn, tx, rollout, devicePhases.Select(d => (d.Key, d.Value)), "assigned");
        if (rollout.State == "running") await StartPhaseAsync(conn, tx, rollout, 0);
        await tx.CommitAsync();
    }

    /// <summary>Releases the devices of phase <paramref name="phase"/> (and earlier) and starts its soak clock.</summary>
    internal async Task StartPhaseAsync(DbConnection conn, DbTransaction tx, RolloutRow rollout, int phase)
    {
        var now = clock.GetUtcNow();
        rollout.CurrentPhase = phase;
        rollout.PhaseStartedAt = now;
        var history = Json.Read<List<PhaseStart>>(rollout.PhaseHistory);
        history.Add(new PhaseStart(phase, now));
        rollout.PhaseHistory = Json.Write(history);
        rollout.UpdatedAt = now;
        var released = await conn.QueryAsync<(string, int)>("SELECT device_id, phase FROM rollouts_deployment_devices WHERE rollout_id = @id AND phase <= @phase AND released = @no",
            new { id = rollout.Id, phase, no = false }, tx);
        await conn.ExecuteAsync("UPDATE rollouts_deployment_devices SET released = @yes WHERE rollout_id = @id AND phase <= @phase AND released = @no",
            new { id = rollout.Id, phase, yes = true, no = false }, tx);
        await AddHistoryAsync(conn, tx, rollout, released, "released");
        await SaveAsync(conn, tx, rollout);
    }

    /// <summary>Stops the rollout's devices that have not finished (state <c>aborted</c>), each with a history event; returns how many.</summary>
    internal async Task<int> AbortDevicesAsync(DbConnection conn, DbTransaction tx, RolloutRow rollout, DateTimeOffset now)
    {
        var stopped = (await conn.QueryAsync<(string, int)>(
            "SELECT device_id, phase FROM rollouts_deployment_devices WHERE rollout_id = @id AND state IN ('pending', 'downloading', 'installing')", new { id = rollout.Id }, tx)).ToList();
        // devices that were told (released) are told again that it is aborted; the others never heard of it
        await conn.ExecuteAsync("""
            UPDATE rollouts_deployment_devices SET state = 'aborted', message = 'rollout aborted', updated_at = @now, abort_notified = CASE WHEN released = @yes THEN @no ELSE @yes END
            WHERE rollout_id = @id AND state IN ('pending', 'downloading', 'installing')
            """, new { id = rollout.Id, now, yes = true, no = false }, tx);
        await AddHistoryAsync(conn, tx, rollout, stopped, "aborted", "rollout aborted");
        return stopped.Count;
    }

    /// <summary>
    /// One event per device in its history: <c>deployment_assigned</c>, <c>_released</c>, <c>_downloading</c>, <c>_installing</c>,
    /// <c>_succeeded</c>, <c>_failed</c> or <c>_aborted</c>, with the rollout, its artifact, the device's phase and the message.
    /// </summary>
    private Task AddHistoryAsync(DbConnection conn, DbTransaction tx, RolloutRow rollout, IEnumerable<(string DeviceId, int Phase)> devices, string what, string message = "") =>
        AddHistoryAsync(conn, tx, rollout.Id, rollout.Name, rollout.ArtifactId, devices, what, message);

    private async Task AddHistoryAsync(DbConnection conn, DbTransaction tx, string rolloutId, string rolloutName, string artifactId,
        IEnumerable<(string DeviceId, int Phase)> devices, string what, string message)
    {
        var now = clock.GetUtcNow();
        foreach (var (deviceId, phase) in devices)
            await DeviceHistory.AddEventAsync(conn, tx, deviceId, "deployment_" + what, new { rolloutId, rollout = rolloutName, artifactId, phase, message }, now);
    }

    internal static Task SaveAsync(DbConnection conn, DbTransaction? tx, RolloutRow r) =>
        conn.ExecuteAsync("""
            UPDATE rollouts_rollouts SET state = @State, current_phase = @CurrentPhase, phase_started_at = @PhaseStartedAt, phase_history = @PhaseHistory,
              failure_baseline = @FailureBaseline, paused_reason = @PausedReason, approved_by = @ApprovedBy, approved_at = @ApprovedAt,
              updated_at = @UpdatedAt, finished_at = @FinishedAt
            WHERE id = @Id
            """, r, tx);

    public async Task<RolloutRow?> FindAsync(string teamId, string id)
    {
        await using var conn = await db.OpenAsync();
        return await conn.QuerySingleOrDefaultAsync<RolloutRow>($"SELECT {Columns} FROM rollouts_rollouts WHERE team_id = @teamId AND id = @id", new { teamId, id });
    }

    public async Task<IReadOnlyList<RolloutRow>> ListRunningAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<RolloutRow>($"SELECT {Columns} FROM rollouts_rollouts WHERE state = 'running' ORDER BY created_at")).ToList();
    }

    public async Task<Page<RolloutRow>> ListAsync(string teamId, string? state, PageRequest page)
    {
        await using var conn = await db.OpenAsync();
        var where = "team_id = @teamId" + (state is null ? "" : " AND state = @state");
        var rows = (await conn.QueryAsync<RolloutRow>($"SELECT {Columns} FROM rollouts_rollouts WHERE {where} ORDER BY created_at DESC, id DESC {db.Dialect.Paging()}",
            new { teamId, state, limit = page.Take, offset = page.Skip })).ToList();
        var total = await conn.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM rollouts_rollouts WHERE {where}", new { teamId, state });
        return new Page<RolloutRow>(rows, total, page.Take, page.Skip);
    }

    /// <summary>Runs <paramref name="change"/> on the rollout in a transaction (the row re-read inside it) and commits.</summary>
    public async Task<T> ChangeAsync<T>(string teamId, string id, Func<RolloutChange, Task<T>> change)
    {
        await using var conn = await db.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var row = await conn.QuerySingleOrDefaultAsync<RolloutRow>($"SELECT {Columns} FROM rollouts_rollouts WHERE team_id = @teamId AND id = @id", new { teamId, id }, tx);
        var result = await change(new RolloutChange(this, conn, tx, row));
        await tx.CommitAsync();
        return result;
    }

    internal static async Task<IReadOnlyList<(int Phase, string State, int Count)>> CountsAsync(DbConnection conn, DbTransaction? tx, string rolloutId) =>
        (await conn.QueryAsync<(int, string, int)>(
            "SELECT phase, state, CAST(COUNT(*) AS INTEGER) FROM rollouts_deployment_devices WHERE rollout_id = @rolloutId GROUP BY phase, state", new { rolloutId }, tx)).ToList();

    public async Task<IReadOnlyList<(int Phase, string State, int Count)>> CountsAsync(string rolloutId)
    {
        await using var conn = await db.OpenAsync();
        return await CountsAsync(conn, null, rolloutId);
    }

    /// <summary>
    /// Released devices that hold the phase back: those installing (that reported within <paramref name="progressSince"/>)
    /// and those not started yet that are online (seen since <paramref name="onlineSince"/>).
    /// </summary>
    internal static Task<int> UnsettledAsync(DbConnection conn, DbTransaction tx, string rolloutId, DateTimeOffset onlineSince, DateTimeOffset progressSince) =>
        conn.ExecuteScalarAsync<int>("""
            SELECT COUNT(*) FROM rollouts_deployment_devices d JOIN rollouts_devices v ON v.id = d.device_id
            WHERE d.rollout_id = @rolloutId AND d.released = @yes
              AND ((d.state IN ('downloading', 'installing') AND d.updated_at >= @progressSince) OR (d.state = 'pending' AND v.last_seen_at >= @onlineSince))
            """, new { rolloutId, onlineSince, progressSince, yes = true }, tx);

    public async Task<IReadOnlyList<DeploymentDeviceRow>> DevicesAsync(string rolloutId)
    {
        await using var conn = await db.OpenAsync();
        return (await conn.QueryAsync<DeploymentDeviceRow>("""
            SELECT d.rollout_id AS RolloutId, d.device_id AS DeviceId, COALESCE(d.device_name, v.name, '') AS DeviceName, d.phase AS Phase, d.state AS State,
              d.message AS Message, d.released AS Released, d.started_at AS StartedAt, d.updated_at AS UpdatedAt
            FROM rollouts_deployment_devices d LEFT JOIN rollouts_devices v ON v.id = d.device_id
            WHERE d.rollout_id = @rolloutId ORDER BY d.phase, COALESCE(d.device_name, v.name)
            """, new { rolloutId })).ToList();
    }

    /// <summary>Adds the event to the rollout's timeline.</summary>
    public async Task AddEventAsync<TData>(RolloutRow rollout, TData data) where TData : IEventData
    {
        await using var conn = await db.OpenAsync();
        await AddEventAsync(conn, null, rollout, data);
    }

    internal async Task AddEventAsync<TData>(DbConnection conn, DbTransaction? tx, RolloutRow rollout, TData data) where TData : IEventData =>
        await conn.ExecuteAsync("INSERT INTO rollouts_rollout_events (id, rollout_id, team_id, type, data, created_at) VALUES (@id, @rollout, @team, @type, @data, @now)",
            new { id = Ids.New(), rollout = rollout.Id, team = rollout.TeamId, type = TData.Type, data = Json.Write(data), now = clock.GetUtcNow() }, tx);

    public async Task<IReadOnlyList<JsonNode?>> EventsAsync(string rolloutId)
    {
        await using var conn = await db.OpenAsync();
        var rows = await conn.QueryAsync<(string Type, string Data, DateTimeOffset At)>(
            "SELECT type, data, created_at FROM rollouts_rollout_events WHERE rollout_id = @rolloutId ORDER BY created_at, id", new { rolloutId });
        return rows.Select(r => (JsonNode?)new JsonObject { ["type"] = r.Type, ["at"] = r.At.ToString("O"), ["data"] = JsonNode.Parse(r.Data) }).ToList();
    }

    // ---- the device side ----

    /// <summary>The device's one active deployment: one in progress, else the oldest released pending one of a running rollout.</summary>
    public async Task<ActiveDeployment?> ActiveForDeviceAsync(string deviceId, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryFirstOrDefaultAsync<ActiveDeployment>("""
            SELECT d.rollout_id AS RolloutId, d.state AS State, a.id AS ArtifactId, a.name AS Name, a.version AS Version, a.target_name AS TargetName,
              a.size AS Size, a.sha256 AS Sha256
            FROM rollouts_deployment_devices d
              JOIN rollouts_rollouts r ON r.id = d.rollout_id
              JOIN rollouts_artifacts a ON a.id = r.artifact_id
            WHERE d.device_id = @deviceId
              AND (d.state IN ('downloading', 'installing') OR (d.state = 'pending' AND d.released = @yes AND r.state IN ('running', 'completed')))
            ORDER BY CASE WHEN d.state = 'pending' THEN 1 ELSE 0 END, d.rollout_created_at, d.rollout_id
            """, new { deviceId, yes = true });
    }

    /// <summary>Rollouts aborted while this device was told of them; each is returned once.</summary>
    public async Task<IReadOnlyList<string>> TakeAbortNoticesAsync(string deviceId, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var ids = (await conn.QueryAsync<string>("SELECT rollout_id FROM rollouts_deployment_devices WHERE device_id = @deviceId AND state = 'aborted' AND abort_notified = @no",
            new { deviceId, no = false })).ToList();
        if (ids.Count > 0)
            await conn.ExecuteAsync("UPDATE rollouts_deployment_devices SET abort_notified = @yes WHERE device_id = @deviceId AND state = 'aborted' AND abort_notified = @no",
                new { deviceId, yes = true, no = false });
        return ids;
    }

    /// <summary>Records a device's report; returns the recorded state ("aborted" tells it to stop) or null when it has no such deployment.</summary>
    public async Task<string?> ReportAsync(string deviceId, string rolloutId, string state, string message, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string State, bool Released, string RolloutState, int Phase, string RolloutName, string ArtifactId)?>("""
            SELECT d.state, d.released, r.state, d.phase, r.name, r.artifact_id FROM rollouts_deployment_devices d JOIN rollouts_rollouts r ON r.id = d.rollout_id
            WHERE d.rollout_id = @rolloutId AND d.device_id = @deviceId
            """, new { rolloutId, deviceId }, tx);
        if (row is not { } current) return null;
        var now = clock.GetUtcNow();
        string next;
        if (current.State is "succeeded" or "failed") next = current.State; // final
        else if (current.State == "aborted" || current.RolloutState == "aborted") next = state == "succeeded" ? "succeeded" : "aborted";
        else if (!current.Released) next = current.State;
        else next = state;
        message = message.Length > 1000 ? message[..1000] : message;
        if (next != current.State || state == next)
            await conn.ExecuteAsync("""
                UPDATE rollouts_deployment_devices SET state = @next, message = @message, updated_at = @now,
                  started_at = COALESCE(started_at, @now), abort_notified = @notified
                WHERE rollout_id = @rolloutId AND device_id = @deviceId
                """, new { next, message, now, rolloutId, deviceId, notified = true }, tx);
        if (next != current.State)
            await AddHistoryAsync(conn, tx, rolloutId, current.RolloutName, current.ArtifactId, [(deviceId, current.Phase)], next, next == "aborted" ? "rollout aborted" : message);
        await tx.CommitAsync(ct);
        return next;
    }
}
