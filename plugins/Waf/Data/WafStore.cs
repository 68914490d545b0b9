using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Edgeplane.Plugins.Waf.Data;

public sealed record RuleRow(string Id, string Pattern, string Action, string Severity, string Targets, string Tags, long Hits, string? CreatedBy, DateTimeOffset CreatedAt);

public sealed record DefaultRuleRow(string RuleId, long Enabled, long Hits);

public sealed record BlacklistRow(string Id, string Network, string Reason, string? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

public sealed record PolicyRow(string Id, string Name, string RulesJson, string? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset DeployedAt)
{
    public IReadOnlyList<PolicyRule> Rules => JsonSerializer.Deserialize<List<PolicyRule>>(RulesJson, JsonSerializerOptions.Web) ?? [];
}

public sealed record NodeRow(string Id, string Address, string Mode, string Status, double LoadFactor, long ConfigVersion, string StatsJson, DateTimeOffset RegisteredAt, DateTimeOffset LastHeartbeatAt);

public sealed record ScaleRow(string Id, string Action, long NodeCount, long DesiredNodes, string? RequestedBy, DateTimeOffset CreatedAt);

/// <summary>A webhook subscription; <see cref="ProtectedSecret"/> is the signing secret encrypted by the host (<c>IWebhookSender.ProtectSecret</c>).</summary>
public sealed record WebhookRow(string Id, string Url, string Events, string ProtectedSecret, string? CreatedBy, DateTimeOffset CreatedAt)
{
    public string[] EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Everything a node enforces, as one consistent read (also the body of the node sync route).</summary>
public sealed record WafConfig(long Version, IReadOnlyList<RuleRow> Rules, IReadOnlyList<DefaultRuleRow> DefaultRules, IReadOnlyList<BlacklistRow> Blacklist, PolicyRow? Policy);

/// <summary>The plugin's tables, through Dapper. Every configuration change bumps <c>waf_config_version</c> in the same transaction.</summary>
public sealed class WafStore(IDbConnectionFactory db, TimeProvider clock)
{
    private const string RuleColumns = "id AS Id, pattern AS Pattern, action AS Action, severity AS Severity, targets AS Targets, tags AS Tags, hits AS Hits, created_by AS CreatedBy, created_at AS CreatedAt";
    private const string BlacklistColumns = "id AS Id, network AS Network, reason AS Reason, created_by AS CreatedBy, created_at AS CreatedAt, expires_at AS ExpiresAt";
    private const string PolicyColumns = "id AS Id, name AS Name, rules_json AS RulesJson, created_by AS CreatedBy, created_at AS CreatedAt, deployed_at AS DeployedAt";
    private const string NodeColumns = "id AS Id, address AS Address, mode AS Mode, status AS Status, load_factor AS LoadFactor, config_version AS ConfigVersion, stats_json AS StatsJson, registered_at AS RegisteredAt, last_heartbeat_at AS LastHeartbeatAt";

    public ISqlDialect Dialect => db.Dialect;

    /// <summary>Raised after a change is committed on this instance (other instances see it by polling the version).</summary>
    public event Action? Changed;

    private async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, bool bump, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var result = await work(connection, tx);
        if (bump)
            await connection.ExecuteAsync("UPDATE waf_config_version SET version = version + 1, updated_at = @now WHERE id = 1", new { now = clock.GetUtcNow() }, tx);
        await tx.CommitAsync(ct);
        if (bump) Changed?.Invoke();
        return result;
    }

    public async Task<long> GetVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>("SELECT version FROM waf_config_version WHERE id = 1");
    }

    public async Task<WafConfig> LoadConfigAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var version = await connection.ExecuteScalarAsync<long>("SELECT version FROM waf_config_version WHERE id = 1", transaction: tx);
        var rules = (await connection.QueryAsync<RuleRow>($"SELECT {RuleColumns} FROM waf_rules ORDER BY id", transaction: tx)).ToList();
        var defaults = (await connection.QueryAsync<DefaultRuleRow>("SELECT rule_id AS RuleId, enabled AS Enabled, hits AS Hits FROM waf_default_rules", transaction: tx)).ToList();
        var blacklist = (await connection.QueryAsync<BlacklistRow>($"SELECT {BlacklistColumns} FROM waf_blacklist WHERE expires_at IS NULL OR expires_at > @now ORDER BY id",
            new { now = clock.GetUtcNow() }, tx)).ToList();
        var policy = await connection.QueryFirstOrDefaultAsync<PolicyRow>($"SELECT {PolicyColumns} FROM waf_policies ORDER BY deployed_at DESC, id DESC {db.Dialect.Paging()}",
            new { limit = 1, offset = 0 }, tx);
        await tx.CommitAsync(ct);
        return new WafConfig(version, rules, defaults, blacklist, policy);
    }

    // rules

    public Task InsertRuleAsync(RuleRow rule, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("INSERT INTO waf_rules (id, pattern, action, severity, targets, tags, hits, created_by, created_at) VALUES (@Id, @Pattern, @Action, @Severity, @Targets, @Tags, @Hits, @CreatedBy, @CreatedAt)", rule, tx), bump: true, ct);

    public Task InsertRulesAsync(IReadOnlyList<RuleRow> rules, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
    {
        foreach (var rule in rules)
            await c.ExecuteAsync("INSERT INTO waf_rules (id, pattern, action, severity, targets, tags, hits, created_by, created_at) VALUES (@Id, @Pattern, @Action, @Severity, @Targets, @Tags, @Hits, @CreatedBy, @CreatedAt)", rule, tx);
        return true;
    }, bump: true, ct);

    public async Task<(IReadOnlyList<RuleRow> Items, long Total)> ListRulesAsync(int limit, int offset, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM waf_rules");
        var items = (await c.QueryAsync<RuleRow>($"SELECT {RuleColumns} FROM waf_rules ORDER BY id {db.Dialect.Paging()}", new { limit, offset })).ToList();
        return (items, total);
    }

    public async Task<RuleRow?> GetRuleAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QueryFirstOrDefaultAsync<RuleRow>($"SELECT {RuleColumns} FROM waf_rules WHERE id = @id", new { id });
    }

    public Task<bool> DeleteRuleAsync(string id, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM waf_rules WHERE id = @id", new { id }, tx) > 0, bump: true, ct);

    public async Task<IReadOnlyList<DefaultRuleRow>> ListDefaultRuleStatesAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<DefaultRuleRow>("SELECT rule_id AS RuleId, enabled AS Enabled, hits AS Hits FROM waf_default_rules")).ToList();
    }

    public Task SetDefaultRuleEnabledAsync(string ruleId, bool enabled, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
    {
        var updated = await c.ExecuteAsync("UPDATE waf_default_rules SET enabled = @enabled, updated_at = @now WHERE rule_id = @ruleId",
            new { ruleId, enabled = enabled ? 1 : 0, now = clock.GetUtcNow() }, tx);
        if (updated == 0)
            await c.ExecuteAsync("INSERT INTO waf_default_rules (rule_id, enabled, hits, updated_at) VALUES (@ruleId, @enabled, 0, @now)",
                new { ruleId, enabled = enabled ? 1 : 0, now = clock.GetUtcNow() }, tx);
        return true;
    }, bump: true, ct);

    /// <summary>Adds hit counts (does not bump the configuration version: hits are not configuration).</summary>
    public Task AddHitsAsync(IReadOnlyDictionary<string, long> hits, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        foreach (var (id, n) in hits)
        {
            if (RuleIds.IsBuiltIn(id))
            {
                if (await c.ExecuteAsync("UPDATE waf_default_rules SET hits = hits + @n WHERE rule_id = @id", new { id, n }, tx) == 0)
                    await c.ExecuteAsync("INSERT INTO waf_default_rules (rule_id, enabled, hits, updated_at) VALUES (@id, 1, @n, @now)", new { id, n, now }, tx);
            }
            else await c.ExecuteAsync("UPDATE waf_rules SET hits = hits + @n WHERE id = @id", new { id, n }, tx);
        }
        return true;
    }, bump: false, ct);

    // blacklist

    public Task InsertBlacklistAsync(BlacklistRow row, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("INSERT INTO waf_blacklist (id, network, reason, created_by, created_at, expires_at) VALUES (@Id, @Network, @Reason, @CreatedBy, @CreatedAt, @ExpiresAt)", row, tx), bump: true, ct);

    public async Task<(IReadOnlyList<BlacklistRow> Items, long Total)> ListBlacklistAsync(int limit, int offset, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var now = clock.GetUtcNow();
        var total = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM waf_blacklist WHERE expires_at IS NULL OR expires_at > @now", new { now });
        var items = (await c.QueryAsync<BlacklistRow>($"SELECT {BlacklistColumns} FROM waf_blacklist WHERE expires_at IS NULL OR expires_at > @now ORDER BY id {db.Dialect.Paging()}",
            new { now, limit, offset })).ToList();
        return (items, total);
    }

    public Task<bool> DeleteBlacklistAsync(string id, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM waf_blacklist WHERE id = @id", new { id }, tx) > 0, bump: true, ct);

    public Task<int> PurgeExpiredBlacklistAsync(CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM waf_blacklist WHERE expires_at IS NOT NULL AND expires_at <= @now", new { now = clock.GetUtcNow() }, tx), bump: false, ct);

    // events handed over by nodes

    /// <summary>Records a node's event by its id; false when it was recorded before (the node sent it again).</summary>
    public async Task<bool> TryRecordNodeEventAsync(string id, string nodeId, string eventName, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM waf_node_events WHERE id = @id", new { id }) > 0) return false;
        try
        {
            await connection.ExecuteAsync("INSERT INTO waf_node_events (id, node_id, event, received_at) VALUES (@id, @nodeId, @eventName, @now)",
                new { id, nodeId, eventName, now = clock.GetUtcNow() });
            return true;
        }
        catch (DbException)
        {
            if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM waf_node_events WHERE id = @id", new { id }) > 0)
                return false; // another instance took it at the same moment
            throw;
        }
    }

    /// <summary>Forgets an event whose webhooks could not be queued, so that the node's next attempt is taken.</summary>
    public async Task ForgetNodeEventAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync("DELETE FROM waf_node_events WHERE id = @id", new { id });
    }

    public async Task<int> PurgeNodeEventsAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync("DELETE FROM waf_node_events WHERE received_at < @before", new { before });
    }

    // policies

    /// <summary>Creates or replaces the policy <paramref name="name"/> and makes it the active one.</summary>
    public Task<PolicyRow> DeployPolicyAsync(string name, IReadOnlyList<PolicyRule> rules, string? by, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var json = JsonSerializer.Serialize(rules, new JsonSerializerOptions(JsonSerializerOptions.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
        var existing = await c.QueryFirstOrDefaultAsync<PolicyRow>($"SELECT {PolicyColumns} FROM waf_policies WHERE name = @name", new { name }, tx);
        if (existing is null)
        {
            var row = new PolicyRow(Ids.New(), name, json, by, now, now);
            await c.ExecuteAsync("INSERT INTO waf_policies (id, name, rules_json, created_by, created_at, deployed_at) VALUES (@Id, @Name, @RulesJson, @CreatedBy, @CreatedAt, @DeployedAt)", row, tx);
            return row;
        }
        await c.ExecuteAsync("UPDATE waf_policies SET rules_json = @json, deployed_at = @now WHERE id = @id", new { json, now, id = existing.Id }, tx);
        return existing with { RulesJson = json, DeployedAt = now };
    }, bump: true, ct);

    public async Task<IReadOnlyList<PolicyRow>> ListPoliciesAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<PolicyRow>($"SELECT {PolicyColumns} FROM waf_policies ORDER BY deployed_at DESC, id DESC")).ToList();
    }

    // nodes

    public Task UpsertNodeAsync(NodeRow node, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
    {
        var updated = await c.ExecuteAsync("UPDATE waf_nodes SET address = @Address, mode = @Mode, status = @Status, load_factor = @LoadFactor, config_version = @ConfigVersion, stats_json = @StatsJson, last_heartbeat_at = @LastHeartbeatAt WHERE id = @Id", node, tx);
        if (updated == 0)
            await c.ExecuteAsync("INSERT INTO waf_nodes (id, address, mode, status, load_factor, config_version, stats_json, registered_at, last_heartbeat_at) VALUES (@Id, @Address, @Mode, @Status, @LoadFactor, @ConfigVersion, @StatsJson, @RegisteredAt, @LastHeartbeatAt)", node, tx);
        return true;
    }, bump: false, ct);

    public async Task<IReadOnlyList<NodeRow>> ListNodesAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<NodeRow>($"SELECT {NodeColumns} FROM waf_nodes ORDER BY id")).ToList();
    }

    public async Task<NodeRow?> GetNodeAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QueryFirstOrDefaultAsync<NodeRow>($"SELECT {NodeColumns} FROM waf_nodes WHERE id = @id", new { id });
    }

    public Task SetNodeStatusAsync(string id, string status, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("UPDATE waf_nodes SET status = @status WHERE id = @id", new { id, status }, tx), bump: false, ct);

    public Task InsertScaleRequestAsync(ScaleRow row, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("INSERT INTO waf_scale_requests (id, action, node_count, desired_nodes, requested_by, created_at) VALUES (@Id, @Action, @NodeCount, @DesiredNodes, @RequestedBy, @CreatedAt)", row, tx), bump: false, ct);

    public async Task<ScaleRow?> LatestScaleRequestAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QueryFirstOrDefaultAsync<ScaleRow>($"SELECT id AS Id, action AS Action, node_count AS NodeCount, desired_nodes AS DesiredNodes, requested_by AS RequestedBy, created_at AS CreatedAt FROM waf_scale_requests ORDER BY id DESC {db.Dialect.Paging()}", new { limit = 1, offset = 0 });
    }

    // webhooks (subscriptions only: delivery and its log are the host's IWebhookSender)

    public Task InsertWebhookAsync(WebhookRow row, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("INSERT INTO waf_webhooks (id, url, events, secret, protected_secret, created_by, created_at) VALUES (@Id, @Url, @Events, '', @ProtectedSecret, @CreatedBy, @CreatedAt)", row, tx), bump: false, ct);

    public async Task<IReadOnlyList<WebhookRow>> ListWebhooksAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<WebhookRow>("SELECT id AS Id, url AS Url, events AS Events, protected_secret AS ProtectedSecret, created_by AS CreatedBy, created_at AS CreatedAt FROM waf_webhooks WHERE protected_secret IS NOT NULL ORDER BY id")).ToList();
    }

    public Task<bool> DeleteWebhookAsync(string id, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM waf_webhooks WHERE id = @id", new { id }, tx) > 0, bump: false, ct);

    /// <summary>
    /// Subscriptions created before the host's webhook service kept their secret in plain text:
    /// encrypt each with <paramref name="protect"/> and blank the plain column. Returns how many.
    /// </summary>
    public async Task<int> ProtectPlaintextSecretsAsync(Func<string, string> protect, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<(string Id, string Secret)>("SELECT id, secret FROM waf_webhooks WHERE protected_secret IS NULL")).ToList();
        foreach (var (id, secret) in rows)
            await c.ExecuteAsync("UPDATE waf_webhooks SET protected_secret = @protectedSecret, secret = '' WHERE id = @id AND protected_secret IS NULL",
                new { id, protectedSecret = protect(secret) });
        return rows.Count;
    }

    // node credentials

    /// <summary>Stores a new credential (its hash) for <paramref name="nodeId"/> and revokes the node's previous ones, in one transaction.</summary>
    public Task<string> IssueNodeCredentialAsync(string nodeId, string credentialHash, string? createdBy, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("UPDATE waf_node_credentials SET revoked_at = @now WHERE node_id = @nodeId AND revoked_at IS NULL", new { nodeId, now }, tx);
        var id = Ids.New();
        await c.ExecuteAsync("INSERT INTO waf_node_credentials (id, node_id, credential_hash, created_by, created_at) VALUES (@id, @nodeId, @credentialHash, @createdBy, @now)",
            new { id, nodeId, credentialHash, createdBy, now }, tx);
        return id;
    }, bump: false, ct);

    /// <summary>Revokes every live credential of a node; returns how many.</summary>
    public Task<int> RevokeNodeCredentialsAsync(string nodeId, CancellationToken ct = default) => InTransactionAsync(async (c, tx) =>
        await c.ExecuteAsync("UPDATE waf_node_credentials SET revoked_at = @now WHERE node_id = @nodeId AND revoked_at IS NULL", new { nodeId, now = clock.GetUtcNow() }, tx),
        bump: false, ct);

    /// <summary>The node a live credential belongs to, by the credential's hash; null when unknown or revoked.</summary>
    public async Task<string?> NodeOfCredentialAsync(string credentialHash, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<string?>("SELECT node_id FROM waf_node_credentials WHERE credential_hash = @credentialHash AND revoked_at IS NULL", new { credentialHash });
    }
}
