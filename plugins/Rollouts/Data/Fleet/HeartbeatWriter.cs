using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>
/// Check-ins that change nothing only move a device's <c>last_seen_at</c> and count. They are gathered
/// in memory and written once a second in one transaction (per host instance; the update keeps the
/// latest time), so a fleet's steady heartbeat costs one write transaction a second, not one per device.
/// Anything that changes state (inventory, health, history, log requests) is written at once.
/// </summary>
public sealed class HeartbeatWriter(IDbConnectionFactory db, ILogger<HeartbeatWriter> logger) : BackgroundService
{
    private ConcurrentDictionary<string, Beat> _pending = new();

    private sealed class Beat
    {
        public DateTimeOffset Seen;
        public long Count;
    }

    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    public void Seen(string deviceId, DateTimeOffset at)
    {
        var beat = _pending.GetOrAdd(deviceId, _ => new Beat());
        lock (beat)
        {
            if (at > beat.Seen) beat.Seen = at;
            beat.Count++;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.IsEmpty) return;
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, Beat>());
        var rows = batch.Select(b => { lock (b.Value) return new { id = b.Key, seen = b.Value.Seen, count = b.Value.Count }; }).ToList();
        try
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(
                "UPDATE rollouts_devices SET check_ins = check_ins + @count, " +
                "last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < @seen THEN @seen ELSE last_seen_at END WHERE id = @id", rows, tx);
            await tx.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Writing {Count} device heartbeats failed; they are retried", rows.Count);
            foreach (var row in rows)
            {
                var beat = _pending.GetOrAdd(row.id, _ => new Beat());
                lock (beat)
                {
                    if (row.seen > beat.Seen) beat.Seen = row.seen;
                    beat.Count += row.count;
                }
            }
        }
    }
}
