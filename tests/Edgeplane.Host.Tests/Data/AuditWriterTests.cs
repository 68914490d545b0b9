using System.Diagnostics.Metrics;
using Dapper;
using Edgeplane.Host.Auditing;
using Edgeplane.Host.Composition;
using Edgeplane.Host.Data;
using Edgeplane.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edgeplane.Host.Tests.Data;

/// <summary>Audit rows written at the same time share a transaction (one commit), and every one is stored before it is acknowledged.</summary>
public sealed class AuditWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Theory]
    [ClassData(typeof(ProviderData))]
    public async Task Concurrent_audit_rows_are_committed_together_and_all_stored(string provider)
    {
        ProviderData.SkipIfUnavailable(provider);
        var environment = await TestDatabases.CreateAsync(provider, _dir.Path);
        var db = new DbConnectionFactory(new DatabaseOptions(provider, environment["Edgeplane__Database__ConnectionString"]!));
        await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance)
            .ApplyAsync("host", Migration.From(typeof(EdgeplaneApplication).Assembly), Ct);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var writer = new AuditWriter(db, services.GetRequiredService<IMeterFactory>());
        long transactions = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "edgeplane.audit.write_transactions") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref transactions, value));
        listener.Start();

        // Another writer holds the table while 40 rows arrive, so they queue behind one transaction.
        Task[] writes;
        await using (var blocker = await db.OpenAsync(Ct))
        await using (var tx = await blocker.BeginTransactionAsync(Ct))
        {
            await blocker.ExecuteAsync(provider switch
            {
                "postgres" => "LOCK TABLE host_audit IN EXCLUSIVE MODE",
                "sqlserver" => "SELECT COUNT(*) FROM host_audit WITH (TABLOCKX, HOLDLOCK)",
                _ => "INSERT INTO host_audit (id, at, action, target) VALUES ('blocker', '2026-01-01', 'x', 'x')",
            }, transaction: tx);
            writes = Enumerable.Range(0, 40).Select(i => writer.WriteAsync(new AuditRecord { Id = $"row-{i}", At = DateTimeOffset.UtcNow, Action = "test.write", Target = $"t{i}" })).ToArray();
            await Task.Delay(300, Ct);
            Assert.DoesNotContain(writes, w => w.IsCompleted); // nothing is acknowledged before it is stored
            await tx.RollbackAsync(Ct);
        }
        await Task.WhenAll(writes);

        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal(40, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM host_audit WHERE action = 'test.write'"));
        Assert.InRange(Interlocked.Read(ref transactions), 1, 3);
    }
}
