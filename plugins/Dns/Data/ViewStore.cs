using System.Data;
using System.Data.Common;
using Dapper;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>
/// What the DNS server serves, read from the database: every zone at once, one zone, and the change feed
/// (<c>dns_changes</c>) that says which zones changed since a position.
/// </summary>
public sealed class ViewStore(IDbConnectionFactory db, TimeProvider clock)
{
    /// <summary>The PostgreSQL channel notified when a change commits.</summary>
    public const string ChangeChannel = "dns_changes";

    /// <summary>The columns of a <see cref="DnsRecord"/> in <c>dns_records</c>.</summary>
    public const string RecordColumns = "idx AS \"Index\", name AS Name, type AS Type, ttl AS Ttl, value AS Value, priority AS Priority, " +
        "weight AS Weight, port AS Port, flags AS Flags, tag AS Tag";

    public ISqlDialect Dialect => db.Dialect;

    /// <summary>
    /// Takes the change counter's row lock for the rest of the transaction without moving it, so writers
    /// serialize. Only <see cref="AppendChangeAsync"/> moves the counter, one step per row: committed positions
    /// are dense, and the view treats a gap (a write that moved the counter without a row, or pruned rows it
    /// never applied) as a reason to load every zone.
    /// </summary>
    public static Task LockWritersAsync(DbConnection c, DbTransaction tx) =>
        c.ExecuteAsync("UPDATE dns_state SET generation = generation WHERE id = 1", transaction: tx);

    /// <summary>
    /// Appends a change to the feed in the writer's transaction (every write that changes what is served
    /// calls this once per zone it changes). Its position is the next value of <c>dns_state.generation</c>,
    /// whose row lock the transaction holds until it commits, so positions become visible in order. On
    /// PostgreSQL the commit also wakes every host listening on <c>dns_changes</c>. Returns the position.
    /// </summary>
    public async Task<long> AppendChangeAsync(DbConnection c, DbTransaction tx, string zoneId, string zoneName, string kind, long oldSerial, long serial,
        IReadOnlyList<DnsRecord> removed, IReadOnlyList<DnsRecord> added)
    {
        // SQLite and PostgreSQL move the counter and return it in one statement; SQL Server has no RETURNING.
        long position;
        if (db.Dialect.Provider is "sqlite" or "postgres")
            position = await c.ExecuteScalarAsync<long>("UPDATE dns_state SET generation = generation + 1 WHERE id = 1 RETURNING generation", transaction: tx);
        else
        {
            await c.ExecuteAsync("UPDATE dns_state SET generation = generation + 1 WHERE id = 1", transaction: tx);
            position = await c.ExecuteScalarAsync<long>("SELECT generation FROM dns_state WHERE id = 1", transaction: tx);
        }
        await c.ExecuteAsync(
            "INSERT INTO dns_changes (position, zone_id, zone_name, kind, old_serial, serial, removed, added, created_at) " +
            "VALUES (@position, @zoneId, @zoneName, @kind, @oldSerial, @serial, @removed, @added, @now)",
            new { position, zoneId, zoneName, kind, oldSerial, serial, removed = ChangeRecords.Write(removed), added = ChangeRecords.Write(added), now = clock.GetUtcNow() }, tx);
        if (db.Dialect.Provider == "postgres") await c.ExecuteAsync("SELECT pg_notify('" + ChangeChannel + "', '')", transaction: tx);
        return position;
    }

    /// <summary>
    /// The change counter, then the changes after <paramref name="position"/>, oldest first, at most <paramref name="limit"/>
    /// (read in that order: a change committed in between shows in the rows, never only in the counter).
    /// </summary>
    public async Task<(long Generation, List<ChangeRow> Changes)> ChangesAfterAsync(long position, int limit, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var generation = await c.ExecuteScalarAsync<long>("SELECT generation FROM dns_state WHERE id = 1");
        var changes = (await c.QueryAsync<ChangeRow>($"SELECT {ChangeRow.Columns} FROM dns_changes WHERE position > @position ORDER BY position {db.Dialect.Paging("@limit", "@offset")}",
            new { position, limit, offset = 0 })).AsList();
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
        var row = await c.QueryFirstOrDefaultAsync<ChangeRow>(
            $"SELECT position AS Position, zone_id AS ZoneId FROM dns_changes WHERE position <= @position ORDER BY position DESC {db.Dialect.Paging("@limit", "@offset")}",
            new { position, limit = 1, offset = 0 });
        return row is null ? null : (row.Position, row.ZoneId);
    }

    /// <summary>
    /// One zone's row and records in one consistent read, with the zone's changes in the feed after <paramref name="position"/>
    /// (the writes the read includes beyond it); null when the zone is gone.
    /// </summary>
    public async Task<StoredZone?> LoadZoneAsync(string zoneId, long position, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var row = await c.QueryFirstOrDefaultAsync<ZoneRow>($"SELECT {ZoneRow.Columns} FROM dns_zones WHERE id = @zoneId", new { zoneId }, tx);
        if (row is null) return null;
        var zone = new StoredZone(row, await ListRecordsAsync(c, tx, zoneId))
        {
            Later = (await c.QueryAsync<ChangeRow>($"SELECT {ChangeRow.Columns} FROM dns_changes WHERE zone_id = @zoneId AND position > @position ORDER BY position",
                new { zoneId, position }, tx)).AsList(),
        };
        await tx.CommitAsync(ct);
        return zone;
    }

    /// <summary>Reads every zone and record (one consistent read, with the feed position it includes).</summary>
    public async Task<StoredView> LoadViewAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var generation = await c.ExecuteScalarAsync<long>("SELECT generation FROM dns_state WHERE id = 1", transaction: tx);
        var zones = (await c.QueryAsync<ZoneRow>($"SELECT {ZoneRow.Columns} FROM dns_zones", transaction: tx)).AsList();
        var records = (await c.QueryAsync<string, DnsRecord, (string ZoneId, DnsRecord Record)>(
                $"SELECT zone_id, {RecordColumns} FROM dns_records ORDER BY zone_id, idx", (zoneId, record) => (zoneId, record), transaction: tx, splitOn: "Index"))
            .ToLookup(r => r.ZoneId, r => r.Record);
        await tx.CommitAsync(ct);
        return new StoredView(generation, zones.Select(z => new StoredZone(z, records[z.Id].ToList())).ToList());
    }

    /// <summary>
    /// A zone's records by index, in the caller's transaction. Read column by column with the reader's typed getters:
    /// every record write reads its zone's records, and the general mapper's boxing and conversions were a tenth of its CPU.
    /// </summary>
    public static async Task<List<DnsRecord>> ListRecordsAsync(DbConnection c, DbTransaction? tx, string zoneId)
    {
        await using var reader = await c.ExecuteReaderAsync($"SELECT {RecordColumns} FROM dns_records WHERE zone_id = @zoneId ORDER BY idx", new { zoneId }, tx);
        var records = new List<DnsRecord>();
        while (await reader.ReadAsync())
            records.Add(new DnsRecord
            {
                Index = reader.GetInt32(0), Name = reader.GetString(1), Type = reader.GetString(2), Ttl = reader.GetInt32(3), Value = reader.GetString(4),
                Priority = Number(reader, 5), Weight = Number(reader, 6), Port = Number(reader, 7), Flags = Number(reader, 8),
                Tag = reader.IsDBNull(9) ? null : reader.GetString(9),
            });
        return records;
    }

    private static int? Number(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetInt32(column);
}
