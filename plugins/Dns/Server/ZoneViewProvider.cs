using Edgeplane.Plugins.Dns.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The server's in-memory view of every zone. It is loaded whole once, then follows the change feed
/// (<c>dns_changes</c>, written in every write transaction by any host instance) from its position:
/// each zone named by a new change is rebuilt from its own rows (or removed), every other zone is kept
/// as it is. The feed is read at once after a change through this instance (<see cref="Poke"/>), when
/// PostgreSQL notifies a change committed by another instance (<c>LISTEN dns_changes</c>), and at
/// least every <see cref="DnsServerOptions.RefreshIntervalMs"/>. The view is persisted (<see cref="ViewSnapshot"/>,
/// one file, every <see cref="DnsServerOptions.SnapshotIntervalMs"/> when it changed); a restart serves the
/// snapshot (read while the host starts) at once, checks it against the database's feed, then catches up from its position
/// (or loads everything when the snapshot is missing, corrupt, or belongs to another database state).
/// </summary>
public sealed class ZoneViewProvider(ViewStore store, WrittenZones written, ZoneBuilder builder, DnsServerOptions options, ViewSnapshot snapshot, ServedView served, IConfiguration configuration, ILogger<ZoneViewProvider> logger)
    : BackgroundService
{
    private const int Batch = 1000;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _update = new(1, 1);
    // The view last written to the snapshot.
    private ZoneView? _saved;
    // The snapshot served at start, until it is checked against the database.
    private volatile ViewSnapshot.Mark? _unchecked;

    public ZoneView Current => served.Current;

    /// <summary>Whether the view has been loaded from the database at least once.</summary>
    public bool Loaded { get; private set; }

    /// <summary>Asks for an immediate read of the feed (after a change made through this instance).</summary>
    public void Poke()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    /// <summary>Reloads every zone now (at start, and the debug refresh routes).</summary>
    public async Task<ZoneView> ReloadAsync(CancellationToken ct = default)
    {
        await _update.WaitAsync(ct);
        try
        {
            return await LoadAllAsync(ct);
        }
        finally
        {
            _update.Release();
        }
    }

    /// <summary>Loads and publishes every zone; the caller holds the update lock.</summary>
    private async Task<ZoneView> LoadAllAsync(CancellationToken ct)
    {
        var view = builder.View(await store.LoadViewAsync(ct));
        served.Publish(view);
        written.Forget(view.Generation);
        _unchecked = null;
        Loaded = true;
        logger.LogDebug("DNS view loaded: {Zones} zones, feed position {Position}", view.Zones.Count, view.Generation);
        return view;
    }

    /// <summary>Applies the changes after the view's position: only the zones they name are read again.</summary>
    public async Task<ZoneView> CatchUpAsync(CancellationToken ct = default)
    {
        await _update.WaitAsync(ct);
        try
        {
            var view = served.Current;
            while (true)
            {
                var (generation, changes) = await store.ChangesAfterAsync(view.Generation, Batch, ct);
                if (changes.Count == 0 ? generation > view.Generation : !Dense(view.Generation, changes))
                {
                    // Rows pruned before this host applied them, or a write that moved the counter without a row.
                    logger.LogWarning("DNS change feed has a gap after position {Position} (counter {Generation}); loading every zone", view.Generation, generation);
                    view = await LoadAllAsync(ct);
                    continue;
                }
                if (changes.Count == 0) return view;
                var updates = new List<(string, string, ZoneSnapshot?)>();
                foreach (var zone in changes.GroupBy(c => c.ZoneId).OrderBy(g => g.Last().Position))
                {
                    var last = zone.Last();
                    var served = view.Zones.TryGetValue(last.ZoneName, out var named) && named.Id == last.ZoneId ? named : null;
                    // A zone read from the database after a later write already includes that write's change.
                    var unapplied = zone.Where(c => c.Position > (served?.Position ?? 0)).ToList();
                    if (unapplied.Count == 0) continue;
                    updates.Add((last.ZoneName, last.ZoneId, last.Kind == ChangeKind.Deleted ? null : await RebuildAsync(served, last, unapplied, ct)));
                }
                served.Publish(view = view.With(updates, changes[^1].Position));
                written.Forget(view.Generation);
                logger.LogDebug("DNS view at feed position {Position}: {Zones} zone(s) rebuilt", view.Generation, updates.Count);
            }
        }
        finally
        {
            _update.Release();
        }
    }

    /// <summary>
    /// The zone as its <paramref name="last"/> change left it: from the records this host's write of that change handed
    /// over (<see cref="WrittenZones"/>), or else read again from the database (another host's change, a zone added)
    /// with the changes of the writes committed since, so that its journal ends at the serial it is served with.
    /// </summary>
    private async Task<ZoneSnapshot?> RebuildAsync(ZoneSnapshot? served, ChangeRow last, IReadOnlyList<ChangeRow> changes, CancellationToken ct)
    {
        if (written.Take(last.ZoneId, last.Position) is { } records)
            return builder.Snapshot(new ZoneRow { Id = last.ZoneId, Name = last.ZoneName, Serial = last.Serial }, records, last.Position, Journal(served, last.ZoneName, changes));
        if (await store.LoadZoneAsync(last.ZoneId, last.Position, ct) is not { } stored) return null;
        return builder.Snapshot(stored.Zone, stored.Records, stored.Later.LastOrDefault()?.Position ?? last.Position, Journal(served, last.ZoneName, [.. changes, .. stored.Later]));
    }

    /// <summary>Whether <paramref name="changes"/> follow <paramref name="position"/> one step at a time.</summary>
    private static bool Dense(long position, List<ChangeRow> changes)
    {
        foreach (var change in changes)
            if (change.Position != ++position) return false;
        return true;
    }

    /// <summary>The <paramref name="served"/> zone's journal followed by <paramref name="changes"/>, at most <see cref="DnsServerOptions.IxfrJournal"/> long.</summary>
    private IReadOnlyList<ZoneDelta> Journal(ZoneSnapshot? served, string name, IEnumerable<ChangeRow> changes)
    {
        List<ZoneDelta> journal = served is null ? [] : [.. served.Journal];
        foreach (var change in changes)
        {
            if (change.Kind == ChangeKind.Zone) journal.Clear();
            else if (change.Kind == ChangeKind.Records)
                journal.Add(ZoneDelta.Of(name, change.OldSerial, change.Serial, ChangeRecords.Read(change.Removed), ChangeRecords.Read(change.Added)));
        }
        if (journal.Count > options.IxfrJournal) journal.RemoveRange(0, journal.Count - options.IxfrJournal);
        return journal;
    }

    /// <summary>
    /// Before the plugin counts as started (the DNS server starts after this): serves the persisted snapshot when
    /// there is a sound one, otherwise loads every zone, so that a start never answers from an empty view while the
    /// database holds zones.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var saved = await snapshot.LoadAsync();
        if (saved.Mark is { } mark)
        {
            served.Publish(_saved = new ZoneView(saved.Zones, mark.Position));
            _unchecked = mark;
            Loaded = true;
            logger.LogInformation("DNS view served from the snapshot in {Directory}: {Zones} zones at feed position {Position}, read in {Read} ms while the host started, waited for {Waited} ms",
                snapshot.Directory, saved.Zones.Count, mark.Position, saved.ReadMilliseconds, started.ElapsedMilliseconds);
        }
        else
        {
            var problem = saved.Problem;
            if (problem != "no snapshot") logger.LogWarning("DNS snapshot in {Directory} not used ({Problem}); loading every zone", snapshot.Directory, problem);
            try
            {
                await ReloadAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "DNS view could not be loaded at start; retrying in the background");
                served.Publish(ZoneView.Empty); // the server answers (REFUSED) while the load is retried
            }
        }
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Whether the database is the one the snapshot was taken from, at or after its position.</summary>
    private async Task<bool> SnapshotHoldsAsync(ViewSnapshot.Mark mark, CancellationToken ct)
    {
        if (await store.GenerationAsync(ct) < mark.Position) return false;
        var last = await store.LastChangeAsync(mark.Position, ct);
        return last?.Position == mark.ChangePosition && last?.ZoneId == mark.ChangeZoneId;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = store.Dialect.Provider == "postgres" ? ListenAsync(stoppingToken) : Task.CompletedTask;
        var saving = SaveLoopAsync(stoppingToken);
        var failures = 0;
        Task? building = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_unchecked is { } mark && !await SnapshotHoldsAsync(mark, stoppingToken))
                {
                    logger.LogWarning("DNS snapshot at feed position {Position} does not match the database; loading every zone", mark.Position);
                    await ReloadAsync(stoppingToken);
                }
                _unchecked = null;
                if (!Loaded) await ReloadAsync(stoppingToken);
                else await CatchUpAsync(stoppingToken);
                failures = 0;
                building ??= Task.Run(() => BuildAll(served.Current), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The migration may not have run yet at startup, or the database may be briefly away: keep serving the last view.
                if (failures++ % 40 == 0) logger.LogWarning(e, "DNS view update failed; serving the last view");
            }
            try
            {
                await _wake.WaitAsync(options.RefreshIntervalMs, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await listening;
        try
        {
            await saving;
        }
        catch (OperationCanceledException) { }
        await SaveAsync(CancellationToken.None);
    }

    /// <summary>
    /// Builds the lookup tables of every zone that no query has built yet (the zones served from the snapshot), once the
    /// host has started and the view has caught up, so that a zone's first query seldom waits for them.
    /// </summary>
    private static void BuildAll(ZoneView view)
    {
        foreach (var zone in view.Zones.Values) zone.Built();
    }

    /// <summary>Persists the view every <see cref="DnsServerOptions.SnapshotIntervalMs"/>, and prunes the feed's old rows (at most once a minute).</summary>
    private async Task SaveLoopAsync(CancellationToken ct)
    {
        var retention = TimeSpan.FromSeconds(options.ChangeRetentionSeconds);
        var pruneEvery = TimeSpan.FromSeconds(Math.Min(60, options.ChangeRetentionSeconds));
        var pruned = DateTimeOffset.MinValue;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.SnapshotIntervalMs, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await SaveAsync(ct);
            if (DateTimeOffset.UtcNow - pruned < pruneEvery) continue;
            pruned = DateTimeOffset.UtcNow;
            try
            {
                var deleted = await store.PruneChangesAsync(pruned - retention, ct);
                if (deleted > 0) logger.LogDebug("DNS change feed: {Deleted} row(s) older than {Retention} pruned", deleted, retention);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "DNS change feed could not be pruned; retrying");
            }
        }
    }

    /// <summary>Writes the view with the position it includes, when it changed since the last write.</summary>
    private async Task SaveAsync(CancellationToken ct)
    {
        var view = served.Current;
        if (_unchecked is not null || ReferenceEquals(view, _saved)) return;
        try
        {
            var last = await store.LastChangeAsync(view.Generation, ct);
            snapshot.Write(new ViewSnapshot.Mark(view.Generation, last?.Position, last?.ZoneId), view.Zones.Values);
            _saved = view;
        }
        catch (Exception e)
        {
            // Written again next time (at the latest when the host stops).
            if (!ct.IsCancellationRequested) logger.LogWarning(e, "DNS snapshot could not be written to {Directory}; retrying", snapshot.Directory);
        }
    }

    /// <summary>
    /// PostgreSQL: one long-lived connection of its own (the host's connection string) listens on the feed's
    /// channel and wakes the view at each committed change.
    /// </summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(configuration["Edgeplane:Database:ConnectionString"]);
                await connection.OpenAsync(ct);
                connection.Notification += (_, _) => Poke();
                await using (var listen = new NpgsqlCommand("LISTEN " + ViewStore.ChangeChannel, connection))
                    await listen.ExecuteNonQueryAsync(ct);
                Poke(); // what committed before LISTEN took effect
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "DNS change notifications lost; polling every {Interval} ms until they resume", options.RefreshIntervalMs);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
