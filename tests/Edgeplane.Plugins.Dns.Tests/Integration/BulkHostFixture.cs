using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>The DNS host with small bulk limits (so that tests can reach them) and AXFR import allowed from 127.0.0.1 only.</summary>
public class BulkHostFixture : DnsHostFixture
{
    public const int MaxBulkChanges = 50;
    public const int MaxImportRecords = 100;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Edgeplane__Plugins__dns__MaxBulkChanges"] = MaxBulkChanges.ToString();
        settings["Edgeplane__Plugins__dns__MaxImportRecords"] = MaxImportRecords.ToString();
        settings["Edgeplane__Plugins__dns__ImportPrimaries"] = "127.0.0.1";
    }
}

/// <summary>The same host on PostgreSQL (a fresh database; see <see cref="Postgres"/>).</summary>
public sealed class PostgresBulkHostFixture(Postgres postgres) : BulkHostFixture
{
    private readonly TempDirectory _dir = new();

    protected override Task<Dictionary<string, string?>> DatabaseAsync() => postgres.CreateDatabaseAsync(_dir.Path);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }
}
