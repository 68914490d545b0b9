using Edgeplane.Host.Data;
using Edgeplane.Host.Jobs;
using Edgeplane.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edgeplane.Host.Tests.Data;

/// <summary>The lease manager against each real database: one holder at a time, released or expired leases are free again.</summary>
public sealed class LeaseTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<DbConnectionFactory> MigratedAsync(string provider)
    {
        var environment = await TestDatabases.CreateAsync(provider, _dir.Path);
        var db = new DbConnectionFactory(new DatabaseOptions(provider, environment["Edgeplane__Database__ConnectionString"]!));
        await db.PrepareAsync(Ct);
        await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance)
            .ApplyAsync("host", Migration.From(typeof(MigrationRunner).Assembly), Ct);
        return db;
    }

    [Theory]
    [ClassData(typeof(ProviderData))]
    public async Task One_holder_at_a_time_until_release_or_expiry(string provider)
    {
        ProviderData.SkipIfUnavailable(provider);
        var db = await MigratedAsync(provider);
        var one = new LeaseManager(db, TimeProvider.System);
        var two = new LeaseManager(db, TimeProvider.System);

        var held = await one.TryAcquireAsync("job", TimeSpan.FromMinutes(1), Ct);
        Assert.NotNull(held);
        Assert.Null(await two.TryAcquireAsync("job", TimeSpan.FromMinutes(1), Ct));
        Assert.True(await held.RenewAsync(Ct));
        await held.DisposeAsync();

        var short_ = await two.TryAcquireAsync("job", TimeSpan.FromMilliseconds(300), Ct);
        Assert.NotNull(short_);
        await Task.Delay(600, Ct);
        var taken = await one.TryAcquireAsync("job", TimeSpan.FromMinutes(1), Ct);
        Assert.NotNull(taken);
        Assert.False(await short_.RenewAsync(Ct));
    }

    [Theory]
    [ClassData(typeof(ProviderData))]
    public async Task Many_contenders_get_exactly_one_lease(string provider)
    {
        ProviderData.SkipIfUnavailable(provider);
        var db = await MigratedAsync(provider);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            new LeaseManager(db, TimeProvider.System).TryAcquireAsync("contended", TimeSpan.FromMinutes(1), Ct)));

        Assert.Single(attempts, a => a is not null);
    }

    public void Dispose() => _dir.Dispose();
}
