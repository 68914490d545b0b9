using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Edgeplane.Plugins.Compute.Data;

/// <summary>The <c>compute_instances</c> table and the host ports each instance holds (<c>compute_ports</c>).</summary>
public sealed class InstanceStore(IDbConnectionFactory db, TimeProvider clock)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns = "id, team_id AS TeamId, owner_user_id AS OwnerUserId, name, image_id AS ImageId, image_reference AS ImageReference, node_id AS NodeId, memory_bytes AS MemoryBytes, nano_cpus AS NanoCpus, ports, primary_port AS PrimaryPort, state, desired_state AS DesiredState, message, container_id AS ContainerId, exit_code AS ExitCode, created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt";

    /// <summary>States whose instance holds its declared resources on its node (and counts for the quota).</summary>
    internal const string Holding = "state NOT IN ('failed', 'deleted')";

    /// <summary>Starts a transaction that places an instance on a node (or moves its ports).</summary>
    public Task<Placement> BeginPlacementAsync(NodeStore nodes, CancellationToken ct) => Placement.BeginAsync(db, this, nodes, ct);

    public async Task<Page<InstanceRow>> ListAsync(string? teamId, string? ownerUserId, PageRequest page, CancellationToken ct)
    {
        var where = "deleted_at IS NULL" + (teamId is null ? "" : " AND team_id = @teamId") + (ownerUserId is null ? "" : " AND owner_user_id = @ownerUserId");
        await using var c = await db.OpenAsync(ct);
        var args = new { teamId, ownerUserId, limit = page.Take, offset = page.Skip };
        var total = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM compute_instances WHERE {where}", args);
        var items = (await c.QueryAsync<InstanceRow>($"SELECT {Columns} FROM compute_instances WHERE {where} ORDER BY created_at, id {db.Dialect.Paging()}", args)).AsList();
        return new Page<InstanceRow>(items, total, page.Take, page.Skip);
    }

    /// <summary>The instance (deleted ones too: delete is idempotent), or null.</summary>
    public async Task<InstanceRow?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<InstanceRow>($"SELECT {Columns} FROM compute_instances WHERE id = @id", new { id });
    }

    public async Task<IReadOnlyList<InstanceRow>> ListLiveOnNodeAsync(string nodeId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<InstanceRow>($"SELECT {Columns} FROM compute_instances WHERE node_id = @nodeId AND deleted_at IS NULL", new { nodeId })).AsList();
    }

    internal async Task<bool> NameTakenAsync(string teamId, string name, DbConnection connection, DbTransaction tx) =>
        await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM compute_instances WHERE team_id = @teamId AND name = @name AND deleted_at IS NULL", new { teamId, name }, tx) > 0;

    internal async Task<UserUsage> UserUsageAsync(string userId, DbConnection connection, DbTransaction? tx) =>
        await connection.QuerySingleAsync<UserUsage>(
            $"SELECT COALESCE(SUM(memory_bytes), 0) AS MemoryBytes, COALESCE(SUM(nano_cpus), 0) AS NanoCpus, COUNT(*) AS Instances FROM compute_instances WHERE owner_user_id = @userId AND {Holding}",
            new { userId }, tx);

    public async Task<UserUsage> UserUsageAsync(string userId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await UserUsageAsync(userId, c, null);
    }

    internal async Task<HashSet<(int Port, string Protocol)>> TakenPortsAsync(string nodeId, DbConnection connection, DbTransaction tx) =>
        (await connection.QueryAsync<PortRow>("SELECT host_port AS HostPort, protocol FROM compute_ports WHERE node_id = @nodeId", new { nodeId }, tx)).Select(p => ((int)p.HostPort, p.Protocol)).ToHashSet();

    internal static async Task InsertAsync(InstanceRow instance, DbConnection connection, DbTransaction tx)
    {
        await connection.ExecuteAsync(
            "INSERT INTO compute_instances (id, team_id, owner_user_id, name, image_id, image_reference, node_id, memory_bytes, nano_cpus, ports, primary_port, state, desired_state, message, container_id, exit_code, created_at, updated_at, deleted_at) " +
            "VALUES (@Id, @TeamId, @OwnerUserId, @Name, @ImageId, @ImageReference, @NodeId, @MemoryBytes, @NanoCpus, @Ports, @PrimaryPort, @State, @DesiredState, @Message, @ContainerId, @ExitCode, @CreatedAt, @UpdatedAt, @DeletedAt)",
            instance, tx);
        await InsertPortsAsync(instance, connection, tx);
    }

    /// <summary>Stores the instance's new port mappings (its row and the ports it holds on its node).</summary>
    internal static async Task ReplacePortsAsync(InstanceRow instance, DbConnection connection, DbTransaction tx)
    {
        await connection.ExecuteAsync("UPDATE compute_instances SET ports = @Ports WHERE id = @Id", instance, tx);
        await connection.ExecuteAsync("DELETE FROM compute_ports WHERE instance_id = @Id", instance, tx);
        await InsertPortsAsync(instance, connection, tx);
    }

    private static async Task InsertPortsAsync(InstanceRow instance, DbConnection connection, DbTransaction tx)
    {
        foreach (var port in instance.PortList)
            await connection.ExecuteAsync("INSERT INTO compute_ports (node_id, host_port, protocol, instance_id) VALUES (@nodeId, @HostPort, @Protocol, @instanceId)",
                new { nodeId = instance.NodeId, port.HostPort, port.Protocol, instanceId = instance.Id }, tx);
    }

    /// <summary>Sets the observed state (and what the engine said); only for instances not deleted.</summary>
    public async Task UpdateStateAsync(string id, string state, string? message, string? containerId = null, int? exitCode = null, string? desiredState = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(
            "UPDATE compute_instances SET state = @state, message = @message, container_id = COALESCE(@containerId, container_id), exit_code = @exitCode, " +
            "desired_state = COALESCE(@desiredState, desired_state), updated_at = @now WHERE id = @id AND deleted_at IS NULL",
            new { id, state, message, containerId, exitCode, desiredState, now = clock.GetUtcNow() });
    }

    /// <summary>
    /// Sets what reconciliation observed, only if nobody changed the instance since it was read
    /// (a power action or the deploy worker may have moved it on meanwhile). False when it lost the race.
    /// </summary>
    public async Task<bool> UpdateObservedStateAsync(InstanceRow seen, string state, string? message, string? containerId, int? exitCode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(
            "UPDATE compute_instances SET state = @state, message = @message, container_id = COALESCE(@containerId, container_id), exit_code = @exitCode, updated_at = @now " +
            "WHERE id = @id AND deleted_at IS NULL AND state = @seenState AND desired_state = @seenDesired",
            new { id = seen.Id, state, message, containerId, exitCode, now = clock.GetUtcNow(), seenState = seen.State, seenDesired = seen.DesiredState }) > 0;
    }

    /// <summary>Marks the instance deleted and frees its ports (idempotent).</summary>
    public async Task MarkDeletedAsync(string id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync("DELETE FROM compute_ports WHERE instance_id = @id", new { id }, tx);
        await c.ExecuteAsync("UPDATE compute_instances SET state = 'deleted', deleted_at = @now, updated_at = @now WHERE id = @id AND deleted_at IS NULL", new { id, now }, tx);
        await tx.CommitAsync(ct);
    }

    /// <summary>Every instance of the team, deleted ones too (a deleted team's instances).</summary>
    public async Task<IReadOnlyList<InstanceRow>> ListTeamAsync(string teamId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<InstanceRow>($"SELECT {Columns} FROM compute_instances WHERE team_id = @teamId", new { teamId })).AsList();
    }

    /// <summary>Removes the instance's rows for good (its team is gone and so is its container).</summary>
    public async Task PurgeAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync("DELETE FROM compute_ports WHERE instance_id = @id", new { id }, tx);
        await c.ExecuteAsync("DELETE FROM compute_instances WHERE id = @id", new { id }, tx);
        await tx.CommitAsync(ct);
    }

    /// <summary>Instances still deploying since before <paramref name="before"/> (their deploy was interrupted).</summary>
    public async Task<IReadOnlyList<InstanceRow>> StaleDeploysAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<InstanceRow>($"SELECT {Columns} FROM compute_instances WHERE state = 'deploying' AND deleted_at IS NULL AND updated_at < @before", new { before })).AsList();
    }

    /// <summary>Ids of instances that exist and are not deleted, among <paramref name="ids"/>.</summary>
    public async Task<HashSet<string>> LiveIdsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        var live = new HashSet<string>();
        foreach (var chunk in ids.Chunk(200))
            live.UnionWith(await c.QueryAsync<string>("SELECT id FROM compute_instances WHERE deleted_at IS NULL AND id IN @chunk", new { chunk }));
        return live;
    }
}
