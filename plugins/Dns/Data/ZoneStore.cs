using System.Data.Common;
using System.Diagnostics.Metrics;
using Dapper;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>Zones, their records and the users they are shared with (Dapper, portable SQL); every change is appended to the feed (<see cref="ViewStore"/>).</summary>
public sealed class ZoneStore
{
    private readonly IDbConnectionFactory db;
    private readonly ViewStore view;
    private readonly WrittenZones written;
    private readonly TimeProvider clock;
    private readonly GroupCommit _writes;

    public ZoneStore(IDbConnectionFactory db, ViewStore view, WrittenZones written, TimeProvider clock, IMeterFactory meters)
    {
        this.db = db;
        this.view = view;
        this.written = written;
        this.clock = clock;
        var meter = meters.Create("Edgeplane.Plugins.Dns");
        var writes = meter.CreateCounter<long>("edgeplane.dns.record_writes", unit: "{write}", description: "Record writes committed (single changes, bulk requests, imports)");
        var transactions = meter.CreateCounter<long>("edgeplane.dns.record_write_transactions", unit: "{transaction}", description: "Transactions that committed record writes (several concurrent writes share one)");
        _writes = new GroupCommit(db.OpenAsync, ViewStore.LockWritersAsync, count =>
        {
            writes.Add(count);
            transactions.Add(1);
        });
    }

    // ---- zones ----

    /// <summary>The zones the caller may see: host admins all; others their team's and those shared with them.</summary>
    public async Task<List<ZoneRow>> ListZonesAsync(ICaller caller, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = caller.IsHostAdmin
            ? await c.QueryAsync<ZoneRow>($"SELECT {ZoneRow.Columns} FROM dns_zones ORDER BY name")
            : await c.QueryAsync<ZoneRow>($"SELECT {ZoneRow.Columns} FROM dns_zones WHERE team_id = @team OR id IN (SELECT zone_id FROM dns_zone_users WHERE user_id = @user) ORDER BY name",
                new { team = caller.TeamId ?? "", user = caller.UserId ?? "" });
        return rows.AsList();
    }

    /// <summary>The zone when it exists and the caller may see it; otherwise null (a 404, also for another team's zone).</summary>
    public async Task<ZoneRow?> FindZoneAsync(string name, ICaller caller, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await FindZoneAsync(c, null, name, caller);
    }

    private static async Task<ZoneRow?> FindZoneAsync(DbConnection c, DbTransaction? tx, string name, ICaller caller)
    {
        var zone = await c.QueryFirstOrDefaultAsync<ZoneRow>($"SELECT {ZoneRow.Columns} FROM dns_zones WHERE name = @name", new { name }, tx);
        if (zone is null) return null;
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
        await ViewStore.LockWritersAsync(c, tx);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_zones WHERE name = @name", new { name }, tx) > 0) return (AddZoneOutcome.Taken, null, name);
        var retired = await c.ExecuteScalarAsync<long?>("SELECT serial FROM dns_zone_serials WHERE name = @name", new { name }, tx);
        var zone = new ZoneRow
        {
            Id = Ids.New(), Name = name, TeamId = teamId, OwnerUserId = userId, Serial = retired is { } last ? NextSerial(last) : 1, NextIndex = 1,
            CreatedAt = now, UpdatedAt = now,
        };
        var other = await c.ExecuteScalarAsync<string?>("SELECT name FROM dns_zones WHERE team_id <> @teamId AND name LIKE @below",
            new { teamId, below = "%." + name }, tx);
        for (var n = DnsNames.Parent(name); n.Length > 0 && other is null; n = DnsNames.Parent(n))
            other = await c.ExecuteScalarAsync<string?>("SELECT name FROM dns_zones WHERE team_id <> @teamId AND name = @n", new { teamId, n }, tx);
        if (other is not null) return (AddZoneOutcome.Overlaps, null, other);
        var children = await ChildZonesAsync(c, tx, name);
        for (var n = DnsNames.Parent(name); n.Length > 0; n = DnsNames.Parent(n))
        {
            var parentId = await c.ExecuteScalarAsync<string?>("SELECT id FROM dns_zones WHERE name = @n", new { n }, tx);
            if (parentId is null) continue;
            var records = await ViewStore.ListRecordsAsync(c, tx, parentId);
            if (records.FirstOrDefault(r => DnsNames.IsAtOrBelow(DnsNames.Absolute(r.Name, n), name)) is { } hidden)
                return (AddZoneOutcome.HidesRecords, null, $"{DnsNames.Absolute(hidden.Name, n)} {hidden.Type} in {n}");
        }
        try
        {
            await c.ExecuteAsync("INSERT INTO dns_zones (id, name, team_id, owner_user_id, serial, next_index, child_zones, created_at, updated_at) " +
                "VALUES (@Id, @Name, @TeamId, @OwnerUserId, @Serial, @NextIndex, @ChildZones, @CreatedAt, @UpdatedAt)", zone with { ChildZones = children.Count }, tx);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return (AddZoneOutcome.Taken, null, name);
        }
        await CountChildAsync(c, tx, name, +1);
        await view.AppendChangeAsync(c, tx, zone.Id, name, ChangeKind.Zone, zone.Serial, zone.Serial, [], []);
        await tx.CommitAsync(ct);
        return (AddZoneOutcome.Added, zone, null);
    }

    /// <summary>Deletes the zone and its records, keeping its last serial for a zone created again under the name.</summary>
    public async Task DeleteZoneAsync(ZoneRow zone, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await ViewStore.LockWritersAsync(c, tx);
        var serial = await c.ExecuteScalarAsync<long>("SELECT serial FROM dns_zones WHERE id = @id", new { id = zone.Id }, tx);
        await c.ExecuteAsync(db.Dialect.Upsert("dns_zone_serials", ["name"], ["name", "serial"]), new { name = zone.Name, serial }, tx);
        foreach (var table in (string[])["dns_records", "dns_zone_users", "dns_notified"])
            await c.ExecuteAsync($"DELETE FROM {table} WHERE zone_id = @id", new { id = zone.Id }, tx);
        await c.ExecuteAsync("DELETE FROM dns_zones WHERE id = @id", new { id = zone.Id }, tx);
        await CountChildAsync(c, tx, zone.Name, -1);
        await view.AppendChangeAsync(c, tx, zone.Id, zone.Name, ChangeKind.Deleted, serial, serial, [], []);
        await tx.CommitAsync(ct);
    }

    /// <summary>Deletes every zone of <paramref name="teamId"/> as <see cref="DeleteZoneAsync"/> does (a deleted team's zones); returns how many.</summary>
    public async Task<int> DeleteTeamZonesAsync(string teamId, CancellationToken ct = default)
    {
        List<ZoneRow> zones;
        await using (var c = await db.OpenAsync(ct))
            zones = (await c.QueryAsync<ZoneRow>($"SELECT {ZoneRow.Columns} FROM dns_zones WHERE team_id = @teamId", new { teamId })).AsList();
        foreach (var zone in zones) await DeleteZoneAsync(zone, ct);
        // The team's records leave the change feed too; a host that had not applied the deletions sees the gap and loads every zone.
        await using (var c = await db.OpenAsync(ct))
            foreach (var zone in zones) await c.ExecuteAsync("DELETE FROM dns_changes WHERE zone_id = @id", new { id = zone.Id });
        return zones.Count;
    }

    // ---- records ----

    public async Task<List<DnsRecord>> ListRecordsAsync(string zoneId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await ViewStore.ListRecordsAsync(c, null, zoneId);
    }

    /// <summary>
    /// What a record write did: the serial after it, whether it changed anything (and so bumped the serial), and whether
    /// its changes were accepted at all (false: refused, nothing stored).
    /// </summary>
    public sealed record RecordWrite(long Serial, bool Changed, IReadOnlyList<DnsRecord> Removed, IReadOnlyList<DnsRecord> Added, bool Applied = true);

    /// <summary>
    /// The one write path for records (single adds and deletes, bulk changes, imports). Concurrent writes are committed
    /// together (<see cref="GroupCommit"/>): one transaction takes the change counter's row lock (so writers of every
    /// host serialize, and CNAME exclusivity, the RRset's one TTL and the zone cuts hold), then each write, under its
    /// own savepoint and in queue order, takes its zone as the writes before it left it (read before the lock, and read
    /// again in the transaction only when a write changed the zone since: <see cref="ReadRecordsAsync"/>), lets <paramref name="change"/>
    /// (the rules, which the caller supplies) say what to store (null: store nothing), writes it, bumps the serial once,
    /// appends its feed row and writes <paramref name="audit"/>'s row in the same transaction (so a change is never stored
    /// without its audit rows, and they take no commit of their own). The task completes after the commit; then the records the write left are handed to the zone view
    /// (<see cref="WrittenZones"/>), which rebuilds the zone from them without reading it again. Null when the zone is gone.
    /// </summary>
    public async Task<RecordWrite?> WriteRecordsAsync(ZoneRow zone, Func<ZoneRecords, RecordEdit?> change, WriteAudit audit, CancellationToken ct = default)
    {
        var zoneId = zone.Id;
        var before = (zone, await ReadRecordsAsync(zoneId, ct));
        var (write, position, records) = await _writes.RunAsync(async (c, tx) =>
        {
            var result = await WriteRecordsAsync(c, tx, zoneId, before, change);
            if (result.Write is { Applied: true } applied) await audit.RecordAsync(tx, applied);
            return result;
        }, ct);
        if (records is not null) written.HandOver(zoneId, position, records);
        return write;
    }

    /// <summary>
    /// The zone's records read before the writers' lock, after the caller read the zone's row (its serial and next index:
    /// <see cref="FindZoneAsync(string, ICaller, CancellationToken)"/>), each in a statement of its own. Every record change moves the serial, so when
    /// the write's transaction finds the same serial and next index, no change committed since the row was read, and the
    /// records are the zone as the transaction sees it.
    /// </summary>
    private async Task<List<DnsRecord>> ReadRecordsAsync(string zoneId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await ViewStore.ListRecordsAsync(c, null, zoneId);
    }

    private async Task<(RecordWrite? Write, long Position, IReadOnlyList<DnsRecord>? Records)> WriteRecordsAsync(DbConnection c, DbTransaction tx, string zoneId,
        (ZoneRow Zone, List<DnsRecord> Records) before, Func<ZoneRecords, RecordEdit?> change)
    {
        var row = await c.QueryFirstOrDefaultAsync<ZoneRow>(
            "SELECT name AS Name, next_index AS NextIndex, serial AS Serial, child_zones AS ChildZones FROM dns_zones WHERE id = @zoneId", new { zoneId }, tx);
        if (row is null) return (null, 0, null);
        var (zone, serial, nextIndex) = (row.Name, row.Serial, row.NextIndex);
        var children = row.ChildZones == 0 ? [] : await ChildZonesAsync(c, tx, zone);
        if (row.ChildZones < 0)
            await c.ExecuteAsync("UPDATE dns_zones SET child_zones = @count WHERE id = @zoneId", new { count = children.Count, zoneId }, tx);
        var unchanged = serial == before.Zone.Serial && nextIndex == before.Zone.NextIndex;
        var existing = unchanged ? before.Records : await ViewStore.ListRecordsAsync(c, tx, zoneId);
        if (change(new ZoneRecords(zone, existing, children, nextIndex)) is not { } edit)
            return (new RecordWrite(serial, false, [], [], Applied: false), 0, null);
        var (removed, added) = (edit.Removed, edit.Added);
        if (removed.Count + added.Count == 0) return (new RecordWrite(serial, false, [], []), 0, null);
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("DELETE FROM dns_records WHERE zone_id = @zoneId AND idx = @Index", removed.Select(r => new { zoneId, r.Index }), tx);
        await c.ExecuteAsync(
            "INSERT INTO dns_records (id, zone_id, idx, name, type, ttl, value, priority, weight, port, flags, tag, created_at) " +
            "VALUES (@id, @zoneId, @Index, @Name, @Type, @Ttl, @Value, @Priority, @Weight, @Port, @Flags, @Tag, @now)",
            added.Select(r => new { id = Ids.New(), zoneId, r.Index, r.Name, r.Type, r.Ttl, r.Value, r.Priority, r.Weight, r.Port, r.Flags, r.Tag, now }), tx);
        var oldSerial = serial;
        serial = NextSerial(serial);
        await c.ExecuteAsync("UPDATE dns_zones SET next_index = @next, serial = @serial, updated_at = @now WHERE id = @zoneId",
            new { zoneId, next = edit.NextIndex, serial, now }, tx);
        var position = await view.AppendChangeAsync(c, tx, zoneId, zone, ChangeKind.Records, oldSerial, serial, removed, added);
        return (new RecordWrite(serial, true, removed, added), position, edit.Records.ToList());
    }

    /// <summary>
    /// The zones below <paramref name="zone"/> (at any depth). A scan of every zone's name: only zone adds and the first
    /// record write of a zone stored before <c>child_zones</c> existed run it; record writes read the zone's count.
    /// </summary>
    private static async Task<List<string>> ChildZonesAsync(DbConnection c, DbTransaction tx, string zone) =>
        (await c.QueryAsync<string>("SELECT name FROM dns_zones WHERE name LIKE @below", new { below = "%." + zone }, tx))
            .Where(child => child != zone && DnsNames.IsAtOrBelow(child, zone)).ToList();

    /// <summary>Moves the child-zone count of every counted zone above <paramref name="zone"/> (added: +1, deleted: -1).</summary>
    private static async Task CountChildAsync(DbConnection c, DbTransaction tx, string zone, int step)
    {
        var above = new List<string>();
        for (var n = DnsNames.Parent(zone); n.Length > 0; n = DnsNames.Parent(n)) above.Add(n);
        if (above.Count > 0)
            await c.ExecuteAsync("UPDATE dns_zones SET child_zones = child_zones + @step WHERE name IN @above AND child_zones >= 0", new { step, above }, tx);
    }

    /// <summary>RFC 1982 serial arithmetic: +1, wrapping within 32 bits and skipping 0.</summary>
    public static long NextSerial(long serial) => serial >= uint.MaxValue ? 1 : serial + 1;

    // ---- zone users ----

    public async Task<List<ZoneUserRow>> ListZoneUsersAsync(string zoneId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ZoneUserRow>("SELECT user_id AS UserId, added_at AS AddedAt FROM dns_zone_users WHERE zone_id = @zoneId ORDER BY added_at", new { zoneId })).AsList();
    }

    public async Task<bool> AddZoneUserAsync(string zoneId, string userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await ViewStore.LockWritersAsync(c, tx);
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

    public async Task<(long Zones, long Records)> CountsAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_zones"), await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_records"));
    }
}
