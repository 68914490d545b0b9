using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dapper;
using Edgeplane.Abstractions.Jobs;
using Edgeplane.Plugins.Rollouts.Data.Ca;
using Edgeplane.Plugins.Rollouts.Tuf;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Data.Tuf;

/// <summary>A target to add: its repository path, length, SHA-256 and custom metadata.</summary>
public sealed record TufTarget(string Name, string TeamId, long Length, string Sha256, JsonObject Custom);

/// <summary>The repository's versions after a change.</summary>
public sealed record TufVersions(long Root, long Targets, long Snapshot, long Timestamp);

/// <summary>
/// The update-signing repository (The Update Framework, spec 1.0): root, targets, snapshot and timestamp roles,
/// each with its own ECDSA P-256 keys (private keys sealed with <see cref="KeyProtector"/>) and threshold;
/// consistent snapshots; every version of every document in <c>rollouts_tuf_metadata</c> exactly as served.
/// Writes are serialised in the process and by the (role, version) primary key across instances.
/// </summary>
public sealed class TufRepository(IDbConnectionFactory db, KeyProtector protector, TufOptions options, TimeProvider clock, ILeaseManager leases,
    ILogger<TufRepository> logger)
{
    private readonly SemaphoreSlim _write = new(1, 1);

    public TufOptions Options => options;

    private sealed class KeyRow
    {
        public string Id { get; set; } = "";
        public string Role { get; set; } = "";
        public string KeyId { get; set; } = "";
        public string PublicKey { get; set; } = "";
        public byte[] EncryptedKey { get; set; } = [];
        public string KekId { get; set; } = "";
    }

    public sealed class MetadataRow
    {
        public string Role { get; set; } = "";
        public long Version { get; set; }
        public string Document { get; set; } = "";
        public DateTimeOffset ExpiresAt { get; set; }
    }

    /// <summary>Creates keys and version 1 of every role when the repository is empty (under a lease, once across instances).</summary>
    public async Task EnsureInitializedAsync(CancellationToken ct)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            await using (var connection = await db.OpenAsync(ct))
            {
                if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_tuf_metadata WHERE role = 'root'") > 0) return;
            }
            await using var lease = await leases.TryAcquireAsync("rollouts.tuf.init", TimeSpan.FromMinutes(1), ct);
            if (lease is null)
            {
                await Task.Delay(100, ct);
                continue;
            }
            await using var conn = await db.OpenAsync(ct);
            if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_tuf_metadata WHERE role = 'root'") > 0) return;
            await using var tx = await conn.BeginTransactionAsync(ct);
            var keys = new Dictionary<string, List<TufKey>>();
            foreach (var role in TufMetadata.Roles)
            {
                keys[role] = [];
                for (var i = 0; i < options.For(role).Keys; i++) keys[role].Add(await StoreNewKeyAsync(conn, tx, role));
            }
            var now = clock.GetUtcNow();
            await InsertAsync(conn, tx, "root", 1, TufMetadata.Sign(BuildRoot(1, keys, now), keys["root"]), now + options.RootLifetime, now);
            await PublishChainAsync(conn, tx, keys, new JsonObject(), bumpTargets: true, bumpSnapshot: true, now);
            await tx.CommitAsync(ct);
            logger.LogInformation("Created the update-signing repository (root threshold {Threshold} of {Keys})", options.RootThreshold, options.RootKeys);
            return;
        }
        throw new TimeoutException("the update-signing repository was not initialised");
    }

    private async Task<TufKey> StoreNewKeyAsync(DbConnection conn, DbTransaction tx, string role)
    {
        var key = TufKey.Generate();
        var id = Ids.New();
        await conn.ExecuteAsync("""
            INSERT INTO rollouts_tuf_keys (id, role, keyid, public_key, encrypted_key, kek_id, state, created_at)
            VALUES (@id, @role, @keyid, @pub, @enc, @kek, 'active', @now)
            """, new { id, role, keyid = key.KeyId, pub = key.PublicPem, enc = protector.Protect(key.ExportPkcs8(), "tuf-key:" + id), kek = protector.KeyId, now = clock.GetUtcNow() }, tx);
        return key;
    }

    private async Task<Dictionary<string, List<TufKey>>> LoadKeysAsync(DbConnection conn, DbTransaction tx)
    {
        var rows = await conn.QueryAsync<KeyRow>("""
            SELECT id AS Id, role AS Role, keyid AS KeyId, public_key AS PublicKey, encrypted_key AS EncryptedKey, kek_id AS KekId
            FROM rollouts_tuf_keys WHERE state = 'active' ORDER BY created_at, id
            """, transaction: tx);
        var keys = TufMetadata.Roles.ToDictionary(r => r, _ => new List<TufKey>());
        foreach (var row in rows)
        {
            if (row.KekId != protector.KeyId)
                throw new CryptographicException($"signing key {row.KeyId} was sealed with key-encryption key {row.KekId}, this host has {protector.KeyId}");
            var key = TufKey.FromPkcs8(protector.Unprotect(row.EncryptedKey, "tuf-key:" + row.Id));
            if (key.KeyId != row.KeyId) throw new CryptographicException($"signing key {row.KeyId} does not match its public key");
            keys[row.Role].Add(key);
        }
        foreach (var (role, list) in keys)
            if (list.Count < options.For(role).Threshold && list.Count == 0) throw new CryptographicException($"no signing key for role {role}");
        return keys;
    }

    private JsonObject BuildRoot(long version, Dictionary<string, List<TufKey>> keys, DateTimeOffset now)
    {
        var signed = TufMetadata.Signed("root", version, now + options.RootLifetime);
        signed["consistent_snapshot"] = true;
        var keyMap = new JsonObject();
        var roles = new JsonObject();
        foreach (var role in TufMetadata.Roles)
        {
            var ids = new JsonArray();
            foreach (var key in keys[role])
            {
                keyMap[key.KeyId] = key.PublicJson();
                ids.Add(key.KeyId);
            }
            roles[role] = new JsonObject { ["keyids"] = ids, ["threshold"] = Math.Min(options.For(role).Threshold, keys[role].Count) };
        }
        signed["keys"] = keyMap;
        signed["roles"] = roles;
        return signed;
    }

    private static async Task<MetadataRow?> LatestAsync(DbConnection conn, DbTransaction? tx, string role) =>
        await conn.QuerySingleOrDefaultAsync<MetadataRow>("""
            SELECT role AS Role, version AS Version, document AS Document, expires_at AS ExpiresAt FROM rollouts_tuf_metadata
            WHERE role = @role AND version = (SELECT MAX(version) FROM rollouts_tuf_metadata WHERE role = @role)
            """, new { role }, tx);

    private static Task InsertAsync(DbConnection conn, DbTransaction tx, string role, long version, string document, DateTimeOffset expires, DateTimeOffset now) =>
        conn.ExecuteAsync("INSERT INTO rollouts_tuf_metadata (role, version, document, expires_at, created_at) VALUES (@role, @version, @document, @expires, @now)",
            new { role, version, document, expires, now }, tx);

    /// <summary>
    /// Signs and stores a new targets (when <paramref name="targetsMap"/> is given or <paramref name="bumpTargets"/>),
    /// snapshot and timestamp. Everything is signed before anything is written.
    /// </summary>
    private async Task<TufVersions> PublishChainAsync(DbConnection conn, DbTransaction tx, Dictionary<string, List<TufKey>> keys, JsonObject? targetsMap,
        bool bumpTargets, bool bumpSnapshot, DateTimeOffset now)
    {
        var root = await LatestAsync(conn, tx, "root");
        var targets = await LatestAsync(conn, tx, "targets");
        var snapshot = await LatestAsync(conn, tx, "snapshot");
        var timestamp = await LatestAsync(conn, tx, "timestamp");
        var writes = new List<(string Role, long Version, string Document, DateTimeOffset Expires)>();

        var targetsVersion = targets?.Version ?? 0;
        if (targetsMap is not null || bumpTargets || targets is null)
        {
            targetsMap ??= targets is null ? new JsonObject() : JsonNode.Parse(targets.Document)!["signed"]!["targets"]!.AsObject().DeepClone().AsObject();
            targetsVersion++;
            var signed = TufMetadata.Signed("targets", targetsVersion, now + options.TargetsLifetime);
            signed["targets"] = targetsMap;
            writes.Add(("targets", targetsVersion, TufMetadata.Sign(signed, keys["targets"]), now + options.TargetsLifetime));
            bumpSnapshot = true;
        }
        var snapshotVersion = snapshot?.Version ?? 0;
        var snapshotDocument = snapshot?.Document;
        if (bumpSnapshot || snapshot is null)
        {
            snapshotVersion++;
            var signed = TufMetadata.Signed("snapshot", snapshotVersion, now + options.SnapshotLifetime);
            signed["meta"] = new JsonObject { ["targets.json"] = new JsonObject { ["version"] = targetsVersion } };
            snapshotDocument = TufMetadata.Sign(signed, keys["snapshot"]);
            writes.Add(("snapshot", snapshotVersion, snapshotDocument, now + options.SnapshotLifetime));
        }
        var timestampVersion = (timestamp?.Version ?? 0) + 1;
        var ts = TufMetadata.Signed("timestamp", timestampVersion, now + options.TimestampLifetime);
        ts["meta"] = new JsonObject
        {
            ["snapshot.json"] = new JsonObject
            {
                ["version"] = snapshotVersion,
                ["length"] = System.Text.Encoding.UTF8.GetByteCount(snapshotDocument!),
                ["hashes"] = new JsonObject { ["sha256"] = TufMetadata.Sha256Hex(snapshotDocument!) },
            },
        };
        writes.Add(("timestamp", timestampVersion, TufMetadata.Sign(ts, keys["timestamp"]), now + options.TimestampLifetime));

        foreach (var w in writes) await InsertAsync(conn, tx, w.Role, w.Version, w.Document, w.Expires, now);
        var keep = Math.Max(1, options.KeepVersions);
        await conn.ExecuteAsync("DELETE FROM rollouts_tuf_metadata WHERE role = 'targets' AND version <= @v", new { v = targetsVersion - keep }, tx);
        await conn.ExecuteAsync("DELETE FROM rollouts_tuf_metadata WHERE role = 'snapshot' AND version <= @v", new { v = snapshotVersion - keep }, tx);
        await conn.ExecuteAsync("DELETE FROM rollouts_tuf_metadata WHERE role = 'timestamp' AND version <= @v", new { v = timestampVersion - 2 }, tx);
        return new TufVersions(root?.Version ?? 1, targetsVersion, snapshotVersion, timestampVersion);
    }

    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Dictionary<string, List<TufKey>>, Task<T>> body, CancellationToken ct)
    {
        await _write.WaitAsync(ct);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                await using var conn = await db.OpenAsync(ct);
                await using var tx = await conn.BeginTransactionAsync(ct);
                var keys = await LoadKeysAsync(conn, tx);
                try
                {
                    var result = await body(conn, tx, keys);
                    await tx.CommitAsync(ct);
                    return result;
                }
                catch (DbException e) when (db.Dialect.IsUniqueViolation(e) && attempt < 5 && IsMetadataConflict(e))
                {
                    // another instance wrote the same version first: start again from its versions
                    await tx.RollbackAsync(ct);
                }
                finally
                {
                    foreach (var list in keys.Values) foreach (var key in list) key.Dispose();
                }
            }
        }
        finally
        {
            _write.Release();
        }
    }

    private static bool IsMetadataConflict(DbException e) => e.Message.Contains("rollouts_tuf_metadata", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("pkey", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Adds a target (and its payload) to the repository: new targets, snapshot and timestamp versions are signed
    /// first; then, in the same transaction, the payload, the target and the metadata are written and
    /// <paramref name="record"/> runs (the artifact record, after the repository change). If signing or anything
    /// else fails nothing is stored.
    /// </summary>
    public Task<TufVersions> AddTargetAsync(TufTarget target, byte[] payload, Func<DbConnection, DbTransaction, TufVersions, Task> record, CancellationToken ct) =>
        WriteAsync(async (conn, tx, keys) =>
        {
            var now = clock.GetUtcNow();
            var latest = await LatestAsync(conn, tx, "targets");
            var map = latest is null ? new JsonObject() : JsonNode.Parse(latest.Document)!["signed"]!["targets"]!.AsObject().DeepClone().AsObject();
            if (map.ContainsKey(target.Name)) throw new TufException($"target {target.Name} exists");
            map[target.Name] = new JsonObject
            {
                ["length"] = target.Length,
                ["hashes"] = new JsonObject { ["sha256"] = target.Sha256 },
                ["custom"] = target.Custom.DeepClone(),
            };
            var versions = await PublishChainAsync(conn, tx, keys, map, bumpTargets: true, bumpSnapshot: true, now);
            if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_artifact_blobs WHERE sha256 = @sha", new { sha = target.Sha256 }, tx) == 0)
                await conn.ExecuteAsync("INSERT INTO rollouts_artifact_blobs (sha256, size, data, created_at) VALUES (@sha, @size, @data, @now)",
                    new { sha = target.Sha256, size = payload.LongLength, data = payload, now }, tx);
            await conn.ExecuteAsync("""
                INSERT INTO rollouts_tuf_targets (name, team_id, length, sha256, targets_version, created_at)
                VALUES (@Name, @TeamId, @Length, @Sha256, @version, @now)
                """, new { target.Name, target.TeamId, target.Length, target.Sha256, version = versions.Targets, now }, tx);
            await record(conn, tx, versions);
            return versions;
        }, ct);

    /// <summary>
    /// Takes every target of <paramref name="teamId"/> out of the repository (a deleted team's): new targets, snapshot
    /// and timestamp versions without them, their rows, and each payload no other target has; then, in the same
    /// transaction, <paramref name="record"/> runs (the rest of the team's rows). Nothing is signed when the team has no target.
    /// </summary>
    public Task<int> RemoveTeamTargetsAsync(string teamId, Func<DbConnection, DbTransaction, Task> record, CancellationToken ct) =>
        WriteAsync(async (conn, tx, keys) =>
        {
            var names = (await conn.QueryAsync<string>("SELECT name FROM rollouts_tuf_targets WHERE team_id = @teamId", new { teamId }, tx)).AsList();
            if (names.Count > 0)
            {
                var latest = await LatestAsync(conn, tx, "targets");
                var map = latest is null ? new JsonObject() : JsonNode.Parse(latest.Document)!["signed"]!["targets"]!.AsObject().DeepClone().AsObject();
                foreach (var name in names) map.Remove(name);
                await PublishChainAsync(conn, tx, keys, map, bumpTargets: true, bumpSnapshot: true, clock.GetUtcNow());
                await conn.ExecuteAsync("DELETE FROM rollouts_tuf_targets WHERE team_id = @teamId", new { teamId }, tx);
                await conn.ExecuteAsync("DELETE FROM rollouts_artifact_blobs WHERE sha256 NOT IN (SELECT sha256 FROM rollouts_tuf_targets)", transaction: tx);
            }
            await record(conn, tx);
            return names.Count;
        }, ct);

    /// <summary>Re-signs whatever expires within half its lifetime (the refresh job); returns the roles re-signed.</summary>
    public Task<IReadOnlyList<string>> RefreshAsync(CancellationToken ct) =>
        WriteAsync<IReadOnlyList<string>>(async (conn, tx, keys) =>
        {
            var now = clock.GetUtcNow();
            var due = new List<string>();
            foreach (var role in TufMetadata.Roles)
            {
                var latest = await LatestAsync(conn, tx, role);
                if (latest is null || latest.ExpiresAt - now < options.Lifetime(role) / 2) due.Add(role);
            }
            if (due.Count == 0) return due;
            if (due.Contains("root"))
            {
                var root = await LatestAsync(conn, tx, "root");
                var version = root!.Version + 1;
                await InsertAsync(conn, tx, "root", version, TufMetadata.Sign(BuildRoot(version, keys, now), keys["root"]), now + options.RootLifetime, now);
            }
            await PublishChainAsync(conn, tx, keys, null, bumpTargets: due.Contains("targets"), bumpSnapshot: due.Contains("snapshot"), now);
            return due;
        }, ct);

    /// <summary>
    /// Key rotation: new keys for <paramref name="roles"/>, a new root listing them signed by the old root keys
    /// (a threshold of them, as clients require) and by the new root keys, then targets, snapshot and timestamp
    /// re-signed by their (possibly new) keys. The old keys are retired.
    /// </summary>
    public Task<TufVersions> RotateAsync(IReadOnlyCollection<string> roles, CancellationToken ct) =>
        WriteAsync(async (conn, tx, keys) =>
        {
            var now = clock.GetUtcNow();
            var oldRoot = keys["root"].ToList();
            var next = keys.ToDictionary(k => k.Key, k => k.Value.ToList());
            foreach (var role in roles)
            {
                await conn.ExecuteAsync("UPDATE rollouts_tuf_keys SET state = 'retired' WHERE role = @role AND state = 'active'", new { role }, tx);
                next[role] = [];
                for (var i = 0; i < options.For(role).Keys; i++) next[role].Add(await StoreNewKeyAsync(conn, tx, role));
            }
            var root = await LatestAsync(conn, tx, "root");
            var version = root!.Version + 1;
            await InsertAsync(conn, tx, "root", version, TufMetadata.Sign(BuildRoot(version, next, now), oldRoot.Concat(next["root"])), now + options.RootLifetime, now);
            var versions = await PublishChainAsync(conn, tx, next, null, bumpTargets: true, bumpSnapshot: true, now);
            foreach (var role in roles) foreach (var key in next[role]) key.Dispose();
            return versions with { Root = version };
        }, ct);

    public async Task<MetadataRow?> GetAsync(string role, long? version, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        if (version is null) return await LatestAsync(conn, null, role);
        return await conn.QuerySingleOrDefaultAsync<MetadataRow>(
            "SELECT role AS Role, version AS Version, document AS Document, expires_at AS ExpiresAt FROM rollouts_tuf_metadata WHERE role = @role AND version = @version",
            new { role, version });
    }

    public async Task<TufVersions> VersionsAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var v = await conn.QueryAsync<(string Role, long Version)>("SELECT role, MAX(version) FROM rollouts_tuf_metadata GROUP BY role");
        var map = v.ToDictionary(x => x.Role, x => x.Version);
        return new TufVersions(map.GetValueOrDefault("root"), map.GetValueOrDefault("targets"), map.GetValueOrDefault("snapshot"), map.GetValueOrDefault("timestamp"));
    }

    public sealed class TargetRow
    {
        public string Name { get; set; } = "";
        public string TeamId { get; set; } = "";
        public long Length { get; set; }
        public string Sha256 { get; set; } = "";
    }

    public async Task<TargetRow?> FindTargetAsync(string name, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<TargetRow>(
            "SELECT name AS Name, team_id AS TeamId, length AS Length, sha256 AS Sha256 FROM rollouts_tuf_targets WHERE name = @name", new { name });
    }

    public async Task<byte[]?> PayloadAsync(string sha256, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<byte[]>("SELECT data FROM rollouts_artifact_blobs WHERE sha256 = @sha256", new { sha256 });
    }
}
