using System.Data;
using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Globalization;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Dns.Domain;

namespace Edgeplane.Plugins.Dns.Data;

public sealed record ZoneRow(string Id, string Name, string TeamId, string OwnerUserId, long Serial, int NextIndex, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One row of the change feed (<see cref="ChangeKind"/>); removed and added are JSON lists of records.</summary>
public sealed record ChangeRow(long Position, string ZoneId, string ZoneName, string Kind, long OldSerial, long Serial, string Removed, string Added);

public sealed record NodeRow(string Id, string Name, string Address, int Port, string Location, double? Latitude, double? Longitude, bool Enabled, DateTimeOffset CreatedAt);

/// <summary>Zones, records, zone users, ACLs and nodes in the host's database (Dapper, portable SQL).</summary>
public sealed class DnsStore
{
    private readonly IDbConnectionFactory db;
    private readonly TimeProvider clock;
    private readonly GroupCommit _writes;

    public DnsStore(IDbConnectionFactory db, TimeProvider clock, IMeterFactory meters)
    {
        this.db = db;
        this.clock = clock;
        var meter = meters.Create("Edgeplane.Plugins.Dns");
        var writes = meter.CreateCounter<long>("edgeplane.dns.record_writes", unit: "{write}", description: "Record writes committed (single changes, bulk requests, imports)");
        var transactions = meter.CreateCounter<long>("edgeplane.dns.record_write_transactions", unit: "{transaction}", description: "Transactions that committed record writes (several concurrent writes share one)");
        _writes = new GroupCommit(db.OpenAsync, LockWritersAsync, count =>
        {
            writes.Add(count);
            transactions.Add(1);
        });
    }

    public Task<DbConnection> OpenAsync(CancellationToken ct = default) => db.OpenAsync(ct);

    public ISqlDialect Dialect => db.Dialect;

    // ---- zones ----

    private const string ZoneColumns = "id, name, team_id, owner_user_id, serial, next_index, created_at, updated_at";

    private static ZoneRow Zone(dynamic r) => new((string)r.id, (string)r.name, (string)r.team_id, (string)r.owner_user_id,
        Convert.ToInt64(r.serial, CultureInfo.InvariantCulture), Convert.ToInt32(r.next_index, CultureInfo.InvariantCulture), Time(r.created_at), Time(r.updated_at));

    /// <summary>The zones the caller may see: host admins all; others their team's and those shared with them.</summary>
    public async Task<List<ZoneRow>> ListZonesAsync(ICaller caller, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = caller.IsHostAdmin
            ? await c.QueryAsync($"SELECT {ZoneColumns} FROM dns_zones ORDER BY name")
            : await c.QueryAsync($"SELECT {ZoneColumns} FROM dns_zones WHERE team_id = @team OR id IN (SELECT zone_id FROM dns_zone_users WHERE user_id = @user) ORDER BY name",
                new { team = caller.TeamId ?? "", user = caller.UserId ?? "" });
        return rows.Select(r => (ZoneRow)Zone(r)).ToList();
    }

    /// <summary>The zone when it exists and the caller may see it; otherwise null (a 404, also for another team's zone).</summary>
    public async Task<ZoneRow?> FindZoneAsync(string name, ICaller caller, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await FindZoneAsync(c, null, name, caller);
    }

    private static async Task<ZoneRow?> FindZoneAsync(DbConnection c, DbTransaction? tx, string name, ICaller caller)
    {
        var row = (await c.QueryAsync($"SELECT {ZoneColumns} FROM dns_zones WHERE name = @name", new { name }, tx)).FirstOrDefault();
        if (row is null) return null;
        ZoneRow zone = Zone(row);
        if (caller.IsHostAdmin || zone.TeamId == caller.TeamId) return zone;
        var shared = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_zone_users WHERE zone_id = @zone AND user_id = @user",
            new { zone = zone.Id, user = caller.UserId ?? "" }, tx);
        return shared > 0 ? zone : null;
    }

    /// <summary>
    /// Whether the caller manages the zone (deletes it, shares it): its team or a host admin. A user the
    /// zone is shared with gets record access only.
    /// </summary>
    public static bool Manages(ZoneRow zone, ICaller caller) => caller.IsHostAdmin || zone.TeamId == caller.TeamId;

    public enum AddZoneOutcome { Added, Taken, Overlaps, HidesRecords }

    /// <summary>
    /// Adds a zone. Refused when the name is taken, when it is the parent or a child of another
    /// team's zone (one account must not take over names inside another's zone), or when a parent zone
    /// has records at or below it (the parent and the child would disagree about them).
    /// </summary>
    public async Task<(AddZoneOutcome Outcome, ZoneRow? Zone, string? Other)> AddZoneAsync(string name, string teamId, string userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await LockWritersAsync(c, tx);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_zones WHERE name = @name", new { name }, tx) > 0) return (AddZoneOutcome.Taken, null, name);
        var retired = await c.ExecuteScalarAsync<long?>("SELECT serial FROM dns_zone_serials WHERE name = @name", new { name }, tx);
        var zone = new ZoneRow(Ids.New(), name, teamId, userId, retired is { } last ? NextSerial(last) : 1, 1, now, now);
        var other = await c.ExecuteScalarAsync<string?>("SELECT name FROM dns_zones WHERE team_id <> @teamId AND name LIKE @below",
            new { teamId, below = "%." + name }, tx);
        for (var n = DnsNames.Parent(name); n.Length > 0 && other is null; n = DnsNames.Parent(n))
            other = await c.ExecuteScalarAsync<string?>("SELECT name FROM dns_zones WHERE team_id <> @teamId AND name = @n", new { teamId, n }, tx);
        if (other is not null) return (AddZoneOutcome.Overlaps, null, other);
        for (var n = DnsNames.Parent(name); n.Length > 0; n = DnsNames.Parent(n))
        {
            var parentId = await c.ExecuteScalarAsync<string?>("SELECT id FROM dns_zones WHERE name = @n", new { n }, tx);
            if (parentId is null) continue;
            if (RecordPlacement.AtOrBelow(n, await ListRecordsAsync(c, tx, parentId), name).FirstOrDefault() is { } hidden)
                return (AddZoneOutcome.HidesRecords, null, $"{DnsNames.Absolute(hidden.Name, n)} {hidden.Type} in {n}");
        }
        try
        {
            await c.ExecuteAsync("INSERT INTO dns_zones (id, name, team_id, owner_user_id, serial, next_index, created_at, updated_at) VALUES (@Id, @Name, @TeamId, @OwnerUserId, @Serial, @NextIndex, @CreatedAt, @UpdatedAt)", zone, tx);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return (AddZoneOutcome.Taken, null, name);
        }
        await AppendChangeAsync(c, tx, zone.Id, name, ChangeKind.Zone, zone.Serial, zone.Serial, [], []);
        await tx.CommitAsync(ct);
        return (AddZoneOutcome.Added, zone, null);
    }

    /// <summary>Deletes the zone and its records, keeping its last serial for a zone created again under the name.</summary>
    public async Task DeleteZoneAsync(ZoneRow zone, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await LockWritersAsync(c, tx);
        var serial = await c.ExecuteScalarAsync<long>("SELECT serial FROM dns_zones WHERE id = @id", new { id = zone.Id }, tx);
        await c.ExecuteAsync(db.Dialect.Upsert("dns_zone_serials", ["name"], ["name", "serial"]), new { name = zone.Name, serial }, tx);
        foreach (var table in (string[])["dns_records", "dns_zone_users", "dns_notified"])
            await c.ExecuteAsync($"DELETE FROM {table} WHERE zone_id = @id", new { id = zone.Id }, tx);
        await c.ExecuteAsync("DELETE FROM dns_zones WHERE id = @id", new { id = zone.Id }, tx);
        await AppendChangeAsync(c, tx, zone.Id, zone.Name, ChangeKind.Deleted, serial, serial, [], []);
        await tx.CommitAsync(ct);
    }

    /// <summary>Deletes every zone of <paramref name="teamId"/> as <see cref="DeleteZoneAsync"/> does (a deleted team's zones); returns how many.</summary>
    public async Task<int> DeleteTeamZonesAsync(string teamId, CancellationToken ct = default)
    {
        List<ZoneRow> zones;
        await using (var c = await db.OpenAsync(ct))
            zones = (await c.QueryAsync($"SELECT {ZoneColumns} FROM dns_zones WHERE team_id = @teamId", new { teamId })).Select(r => (ZoneRow)Zone(r)).ToList();
        foreach (var zone in zones) await DeleteZoneAsync(zone, ct);
        // The team's records leave the change feed too; a host that had not applied the deletions sees the gap and loads every zone.
        await using (var c = await db.OpenAsync(ct))
            foreach (var zone in zones) await c.ExecuteAsync("DELETE FROM dns_changes WHERE zone_id = @id", new { id = zone.Id });
        return zones.Count;
    }

    // ---- records ----

    private const string RecordColumns = "idx, name, type, ttl, value, priority, weight, port, flags, tag";

    private static DnsRecord Record(dynamic r) => new()
    {
        Index = Convert.ToInt32(r.idx, CultureInfo.InvariantCulture),
        Name = (string)r.name,
        Type = (string)r.type,
        Ttl = Convert.ToInt32(r.ttl, CultureInfo.InvariantCulture),
        Value = (string)r.value,
        Priority = r.priority is null ? null : Convert.ToInt32(r.priority, CultureInfo.InvariantCulture),
        Weight = r.weight is null ? null : Convert.ToInt32(r.weight, CultureInfo.InvariantCulture),
        Port = r.port is null ? null : Convert.ToInt32(r.port, CultureInfo.InvariantCulture),
        Flags = r.flags is null ? null : Convert.ToInt32(r.flags, CultureInfo.InvariantCulture),
        Tag = (string?)r.tag,
    };

    public async Task<List<DnsRecord>> ListRecordsAsync(string zoneId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await ListRecordsAsync(c, null, zoneId);
    }

    private static async Task<List<DnsRecord>> ListRecordsAsync(DbConnection c, DbTransaction? tx, string zoneId) =>
        (await c.QueryAsync($"SELECT {RecordColumns} FROM dns_records WHERE zone_id = @zoneId ORDER BY idx", new { zoneId }, tx))
            .Select(r => (DnsRecord)Record(r)).ToList();

    /// <summary><c>Conflict</c>: the record contradicts the zone's data (400); <c>Refused</c>: it does not fit its RRset or a zone cut (409).</summary>
    public enum AddOutcome { Added, Duplicate, Conflict, Refused, ZoneGone }

    /// <summary>Adds a record under the next index (see <see cref="WriteRecordsAsync"/>); without a <c>ttl</c> it takes its RRset's TTL.</summary>
    public async Task<(AddOutcome Outcome, DnsRecord? Record, Dictionary<string, List<string>> Errors)> AddRecordAsync(string zoneId, RecordInput input, CancellationToken ct = default)
    {
        ChangeResult? result = null;
        var write = await WriteRecordsAsync(zoneId, changes => (result = changes.Add(input, ttlGiven: input.Ttl is not null)).Applied, ct);
        if (write is null) return (AddOutcome.ZoneGone, null, []);
        return result!.Outcome switch
        {
            ChangeOutcome.Applied => (AddOutcome.Added, result.Record, result.Errors),
            ChangeOutcome.Duplicate => (AddOutcome.Duplicate, null, result.Errors),
            ChangeOutcome.Refused => (AddOutcome.Refused, null, result.Errors),
            _ => (AddOutcome.Conflict, null, result.Errors),
        };
    }

    /// <summary>Deletes the record with <paramref name="index"/>; false when there is none. Other records keep their indexes.</summary>
    public async Task<bool> DeleteRecordAsync(string zoneId, int index, CancellationToken ct = default) =>
        await WriteRecordsAsync(zoneId, changes => changes.Delete(index).Applied, ct) is { Changed: true };

    /// <summary>What a record write did: the serial after it, and whether it changed anything (and so bumped the serial).</summary>
    public sealed record RecordWrite(long Serial, bool Changed, IReadOnlyList<DnsRecord> Removed, IReadOnlyList<DnsRecord> Added);

    /// <summary>
    /// The one write path for records (single adds and deletes, bulk changes, imports). Concurrent writes are committed
    /// together (<see cref="GroupCommit"/>): one transaction takes the change counter's row lock (so writers of every
    /// host serialize, and CNAME exclusivity, the RRset's one TTL and the zone cuts hold), then each write, under its
    /// own savepoint and in queue order, reads its zone as the writes before it left it, lets <paramref name="apply"/>
    /// make its changes (false: store nothing), writes the difference, bumps the serial once and appends its feed row.
    /// The task completes after the commit. Null when the zone is gone.
    /// </summary>
    public Task<RecordWrite?> WriteRecordsAsync(string zoneId, Func<RecordChangeSet, bool> apply, CancellationToken ct = default) =>
        _writes.RunAsync((c, tx) => WriteRecordsAsync(c, tx, zoneId, apply), ct);

    private async Task<RecordWrite?> WriteRecordsAsync(DbConnection c, DbTransaction tx, string zoneId, Func<RecordChangeSet, bool> apply)
    {
        var row = (await c.QueryAsync("SELECT name, next_index, serial FROM dns_zones WHERE id = @zoneId", new { zoneId }, tx)).FirstOrDefault();
        if (row is null) return null;
        string zone = row.name;
        long serial = Convert.ToInt64(row.serial, CultureInfo.InvariantCulture);
        int nextIndex = Convert.ToInt32(row.next_index, CultureInfo.InvariantCulture);
        var children = await c.QueryAsync<string>("SELECT name FROM dns_zones WHERE name LIKE @below", new { below = "%." + zone }, tx);
        var changes = new RecordChangeSet(zone, await ListRecordsAsync(c, tx, zoneId), children.Where(child => DnsNames.IsAtOrBelow(child, zone)).ToList(), nextIndex);
        if (!apply(changes)) return new RecordWrite(serial, false, [], []);
        var (removed, added) = changes.Difference();
        if (removed.Count + added.Count == 0) return new RecordWrite(serial, false, [], []);
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("DELETE FROM dns_records WHERE zone_id = @zoneId AND idx = @Index", removed.Select(r => new { zoneId, r.Index }), tx);
        await c.ExecuteAsync(
            "INSERT INTO dns_records (id, zone_id, idx, name, type, ttl, value, priority, weight, port, flags, tag, created_at) " +
            "VALUES (@id, @zoneId, @Index, @Name, @Type, @Ttl, @Value, @Priority, @Weight, @Port, @Flags, @Tag, @now)",
            added.Select(r => new { id = Ids.New(), zoneId, r.Index, r.Name, r.Type, r.Ttl, r.Value, r.Priority, r.Weight, r.Port, r.Flags, r.Tag, now }), tx);
        var oldSerial = serial;
        serial = NextSerial(serial);
        await c.ExecuteAsync("UPDATE dns_zones SET next_index = @next, serial = @serial, updated_at = @now WHERE id = @zoneId",
            new { zoneId, next = changes.NextIndex, serial, now }, tx);
        await AppendChangeAsync(c, tx, zoneId, zone, ChangeKind.Records, oldSerial, serial, removed, added);
        return new RecordWrite(serial, true, removed, added);
    }

    /// <summary>RFC 1982 serial arithmetic: +1, wrapping within 32 bits and skipping 0.</summary>
    public static long NextSerial(long serial) => serial >= uint.MaxValue ? 1 : serial + 1;

    // ---- zone users ----

    public async Task<List<(string UserId, DateTimeOffset AddedAt)>> ListZoneUsersAsync(string zoneId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync("SELECT user_id, added_at FROM dns_zone_users WHERE zone_id = @zoneId ORDER BY added_at", new { zoneId }))
            .Select(r => ((string)r.user_id, (DateTimeOffset)Time(r.added_at))).ToList();
    }

    public async Task<bool> AddZoneUserAsync(string zoneId, string userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await LockWritersAsync(c, tx);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_zone_users WHERE zone_id = @zoneId AND user_id = @userId", new { zoneId, userId }, tx) > 0) return false;
        await c.ExecuteAsync("INSERT INTO dns_zone_users (zone_id, user_id, added_at) VALUES (@zoneId, @userId, @now)", new { zoneId, userId, now = clock.GetUtcNow() }, tx);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> RemoveZoneUserAsync(string zoneId, string userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("DELETE FROM dns_zone_users WHERE zone_id = @zoneId AND user_id = @userId", new { zoneId, userId }) > 0;
    }

    // ---- ACL ----

    public async Task<List<string>> ListAclAsync(string userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>("SELECT entry FROM dns_user_acl WHERE user_id = @userId ORDER BY created_at, entry", new { userId })).ToList();
    }

    public async Task<bool> AddAclAsync(string userId, string entry, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_user_acl WHERE user_id = @userId AND entry = @entry", new { userId, entry }) > 0) return false;
        try
        {
            await c.ExecuteAsync("INSERT INTO dns_user_acl (user_id, entry, created_at) VALUES (@userId, @entry, @now)", new { userId, entry, now = clock.GetUtcNow() });
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
        return true;
    }

    public async Task<bool> RemoveAclAsync(string userId, string entry, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("DELETE FROM dns_user_acl WHERE user_id = @userId AND entry = @entry", new { userId, entry }) > 0;
    }

    /// <summary>Removes every entry of the user's ACL; returns how many there were.</summary>
    public async Task<int> ClearAclAsync(string userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("DELETE FROM dns_user_acl WHERE user_id = @userId", new { userId });
    }

    // ---- nodes ----

    private const string NodeColumns = "id, name, address, port, location, latitude, longitude, enabled, created_at";

    private static NodeRow Node(dynamic r) => new((string)r.id, (string)r.name, (string)r.address, Convert.ToInt32(r.port, CultureInfo.InvariantCulture), (string)r.location,
        r.latitude is null ? null : Convert.ToDouble(r.latitude, CultureInfo.InvariantCulture), r.longitude is null ? null : Convert.ToDouble(r.longitude, CultureInfo.InvariantCulture),
        Convert.ToBoolean(r.enabled, CultureInfo.InvariantCulture), Time(r.created_at));

    public async Task<List<NodeRow>> ListNodesAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync($"SELECT {NodeColumns} FROM dns_nodes ORDER BY name")).Select(r => (NodeRow)Node(r)).ToList();
    }

    public async Task<NodeRow?> AddNodeAsync(NodeRow node, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await LockWritersAsync(c, tx);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_nodes WHERE name = @Name", node, tx) > 0) return null;
        await c.ExecuteAsync("INSERT INTO dns_nodes (id, name, address, port, location, latitude, longitude, enabled, created_at) VALUES (@Id, @Name, @Address, @Port, @Location, @Latitude, @Longitude, @Enabled, @CreatedAt)", node, tx);
        await tx.CommitAsync(ct);
        return node;
    }

    public async Task<bool> SetNodeEnabledAsync(string id, bool enabled, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await LockWritersAsync(c, tx);
        var n = await c.ExecuteAsync("UPDATE dns_nodes SET enabled = @enabled WHERE id = @id", new { id, enabled }, tx);
        await tx.CommitAsync(ct);
        return n > 0;
    }

    public async Task<(long Zones, long Records, long Nodes)> CountsAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_zones"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_records"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_nodes"));
    }

    // ---- the served view and its change feed ----

    /// <summary>
    /// Appends a change to the feed in the writer's transaction (every write that changes what is served
    /// calls this once per zone it changes). Its position is the next value of <c>dns_state.generation</c>,
    /// whose row lock the transaction holds until it commits, so positions become visible in order. On
    /// PostgreSQL the commit also wakes every host listening on <c>dns_changes</c>.
    /// </summary>
    public async Task AppendChangeAsync(DbConnection c, DbTransaction tx, string zoneId, string zoneName, string kind, long oldSerial, long serial,
        IReadOnlyList<DnsRecord> removed, IReadOnlyList<DnsRecord> added)
    {
        await c.ExecuteAsync("UPDATE dns_state SET generation = generation + 1 WHERE id = 1", transaction: tx);
        var position = await c.ExecuteScalarAsync<long>("SELECT generation FROM dns_state WHERE id = 1", transaction: tx);
        await c.ExecuteAsync(
            "INSERT INTO dns_changes (position, zone_id, zone_name, kind, old_serial, serial, removed, added, created_at) " +
            "VALUES (@position, @zoneId, @zoneName, @kind, @oldSerial, @serial, @removed, @added, @now)",
            new { position, zoneId, zoneName, kind, oldSerial, serial, removed = ChangeRecords.Write(removed), added = ChangeRecords.Write(added), now = clock.GetUtcNow() }, tx);
        if (db.Dialect.Provider == "postgres") await c.ExecuteAsync("SELECT pg_notify('" + ChangeChannel + "', '')", transaction: tx);
    }

    /// <summary>The PostgreSQL channel notified when a change commits.</summary>
    public const string ChangeChannel = "dns_changes";

    private const string ChangeColumns = "position, zone_id, zone_name, kind, old_serial, serial, removed, added";

    private static ChangeRow Change(dynamic r) => new(Convert.ToInt64(r.position, CultureInfo.InvariantCulture), (string)r.zone_id, (string)r.zone_name, (string)r.kind,
        Convert.ToInt64(r.old_serial, CultureInfo.InvariantCulture), Convert.ToInt64(r.serial, CultureInfo.InvariantCulture), (string)r.removed, (string)r.added);

    /// <summary>
    /// The change counter, then the changes after <paramref name="position"/>, oldest first, at most <paramref name="limit"/>
    /// (read in that order: a change committed in between shows in the rows, never only in the counter).
    /// </summary>
    public async Task<(long Generation, List<ChangeRow> Changes)> ChangesAfterAsync(long position, int limit, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var generation = await c.ExecuteScalarAsync<long>("SELECT generation FROM dns_state WHERE id = 1");
        var changes = (await c.QueryAsync($"SELECT {ChangeColumns} FROM dns_changes WHERE position > @position ORDER BY position {db.Dialect.Paging("@limit", "@offset")}",
            new { position, limit, offset = 0 })).Select(r => (ChangeRow)Change(r)).ToList();
        return (generation, changes);
    }

    /// <summary>Deletes the feed's rows written before <paramref name="before"/>; a host that had not applied them sees the gap and loads every zone.</summary>
    public async Task<int> PruneChangesAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("DELETE FROM dns_changes WHERE created_at < @before", new { before });
    }

    public async Task<long> GenerationAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>("SELECT generation FROM dns_state WHERE id = 1");
    }

    /// <summary>The feed's last row at or before <paramref name="position"/> (its position and zone id), or null when there is none.</summary>
    public async Task<(long Position, string ZoneId)?> LastChangeAsync(long position, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = (await c.QueryAsync($"SELECT position, zone_id FROM dns_changes WHERE position <= @position ORDER BY position DESC {db.Dialect.Paging("@limit", "@offset")}",
            new { position, limit = 1, offset = 0 })).FirstOrDefault();
        if (row is null) return null;
        long last = Convert.ToInt64(row.position, CultureInfo.InvariantCulture);
        string zoneId = row.zone_id;
        return (last, zoneId);
    }

    /// <summary>One zone's row and records in one consistent read, or null when it is gone.</summary>
    public async Task<StoredZone?> LoadZoneAsync(string zoneId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var row = (await c.QueryAsync($"SELECT {ZoneColumns} FROM dns_zones WHERE id = @zoneId", new { zoneId }, tx)).FirstOrDefault();
        if (row is null) return null;
        var zone = new StoredZone(Zone(row), await ListRecordsAsync(c, tx, zoneId));
        await tx.CommitAsync(ct);
        return zone;
    }

    /// <summary>Reads every zone and record (one consistent read, with the feed position it includes).</summary>
    public async Task<StoredView> LoadViewAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var generation = await c.ExecuteScalarAsync<long>("SELECT generation FROM dns_state WHERE id = 1", transaction: tx);
        var zones = (await c.QueryAsync($"SELECT {ZoneColumns} FROM dns_zones", transaction: tx)).Select(r => (ZoneRow)Zone(r)).ToList();
        var records = (await c.QueryAsync($"SELECT zone_id, {RecordColumns} FROM dns_records ORDER BY zone_id, idx", transaction: tx))
            .Select(r => ((string)r.zone_id, (DnsRecord)Record(r))).ToLookup(r => r.Item1, r => r.Item2);
        await tx.CommitAsync(ct);
        return new StoredView(generation, zones.Select(z => new StoredZone(z, records[z.Id].ToList())).ToList());
    }

    /// <summary>
    /// Takes the change counter's row lock for the rest of the transaction without moving it, so writers
    /// serialize. Only <see cref="AppendChangeAsync"/> moves the counter, one step per row: committed positions
    /// are dense, and the view treats a gap (a write that moved the counter without a row, or pruned rows it
    /// never applied) as a reason to load every zone.
    /// </summary>
    public static Task LockWritersAsync(DbConnection c, DbTransaction tx) =>
        c.ExecuteAsync("UPDATE dns_state SET generation = generation WHERE id = 1", transaction: tx);

    /// <summary>Timestamps as each provider returns them (DateTimeOffset, DateTime in UTC, or ISO text on SQLite).</summary>
    public static DateTimeOffset Time(object value) => value switch
    {
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime(),
        _ => throw new InvalidCastException($"not a timestamp: {value?.GetType().Name}"),
    };
}
