using Dapper;
using Edgeplane.Host.Data;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Data;

/// <summary>Connections to the SQLite file wait for another writer in SQLite's own busy handler.</summary>
public sealed class SqliteConnectionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_connection_waits_for_a_writer_up_to_its_timeout_in_sqlite()
    {
        var db = new DbConnectionFactory(new DatabaseOptions("sqlite", $"Data Source={_dir.Combine("edgeplane.db")}"));
        await db.PrepareAsync(Ct);
        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal(30_000, await connection.ExecuteScalarAsync<int>("PRAGMA busy_timeout"));

        // A second writer goes through once the first commits, without the provider's 150 ms retry sleep.
        await using var holder = await db.OpenAsync(Ct);
        await holder.ExecuteAsync("CREATE TABLE t (v INTEGER)");
        await using var transaction = await holder.BeginTransactionAsync(Ct);
        await holder.ExecuteAsync("INSERT INTO t VALUES (1)", transaction: transaction);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Microsoft.Data.Sqlite runs "async" commands synchronously: the waiting writer needs a thread of its own.
        var second = Task.Run(() => connection.ExecuteAsync("INSERT INTO t VALUES (2)"), Ct);
        await Task.Delay(20, Ct);
        await transaction.CommitAsync(Ct);
        await second;
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM t"));
        Assert.True(watch.ElapsedMilliseconds < 5_000, $"{watch.ElapsedMilliseconds} ms");
    }

    public void Dispose() => _dir.Dispose();
}
