using System.Data.Common;
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Jobs;
using Edgeplane.Host.Data;
using Edgeplane.Plugins.Rollouts;
using Edgeplane.Plugins.Rollouts.Data.Artifacts;
using Edgeplane.Plugins.Rollouts.Data.Ca;
using Edgeplane.Plugins.Rollouts.Data.Deployments;
using Edgeplane.Plugins.Rollouts.Data.Tuf;
using Edgeplane.Plugins.Rollouts.Domain.Deployments;
using Edgeplane.Plugins.Rollouts.Tuf;
using Edgeplane.Plugins.Rollouts.Jobs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

// usage: rollouts-orchestration-bench [--targets 0,1000,10000] [--devices 10000,100000] [--publishes 10] [--seconds 10] [--workers 4]
var targetsList = Arg("--targets", "0,1000,10000").Split(',').Select(int.Parse).ToList();
var devicesList = Arg("--devices", "10000,100000").Split(',').Select(int.Parse).ToList();
var publishes = int.Parse(Arg("--publishes", "10"));
var seconds = double.Parse(Arg("--seconds", "10"));
var workers = int.Parse(Arg("--workers", "4"));
DapperTypeHandlers.Register();

Console.WriteLine("## Publish and sign (SQLite, ECDSA P-256; one artifact added to a repository that already has N targets)");
Console.WriteLine();
Console.WriteLine("| targets already present | publish p50 ms | publish max ms | targets.json bytes | snapshot.json bytes | timestamp.json bytes | reference: canonicalise+sign targets only, ms | publish vs reference |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (var n in targetsList) await SigningAsync(n);
Console.WriteLine();
Console.WriteLine($"## Rollout decisions at check-in ({workers} concurrent callers, {seconds} s each; SQLite)");
Console.WriteLine();
Console.WriteLine("| devices in the rollout | decisions/s (active deployment + abort notices) | p99 ms | reference: device row by id, lookups/s | decisions vs reference | orchestrator step ms |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var d in devicesList) await DecisionsAsync(d);
return 0;

string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;

static async Task<(Factory Db, string Dir)> NewDatabaseAsync()
{
    var dir = Directory.CreateTempSubdirectory("rollouts-bench-").FullName;
    var db = new Factory($"Data Source={Path.Combine(dir, "bench.db")};Pooling=true");
    await using var conn = await db.OpenAsync();
    await conn.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    var assembly = typeof(TufRepository).Assembly;
    foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Contains(".Migrations.") && n.EndsWith(".sql")).Order())
    {
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        await conn.ExecuteAsync(((SqlDialect)db.Dialect).Expand(await reader.ReadToEndAsync()));
    }
    return (db, dir);
}

async Task SigningAsync(int n)
{
    var (db, dir) = await NewDatabaseAsync();
    try
    {
        var options = new RolloutsOptions { DataDirectory = dir };
        var tufOptions = new TufOptions();
        var tuf = new TufRepository(db, new KeyProtector(options), tufOptions, TimeProvider.System, new Leases(), NullLogger<TufRepository>.Instance);
        await tuf.EnsureInitializedAsync(CancellationToken.None);
        // seed N targets into a new targets version (written directly: signing N times would take N publishes)
        var latest = await tuf.GetAsync("targets", null);
        var map = new JsonObject();
        for (var i = 0; i < n; i++)
            map[$"01bench000000000000000team/{i:D26}/firmware-{i}.bin"] = new JsonObject
            {
                ["length"] = 1_000_000 + i, ["hashes"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i))) },
                ["custom"] = new JsonObject { ["artifact"] = i.ToString("D26") },
            };
        var signed = TufMetadata.Signed("targets", latest!.Version + 1, DateTimeOffset.UtcNow.AddDays(30));
        signed["targets"] = map;
        using (var key = TufKey.Generate())
        {
            var document = TufMetadata.Sign(signed, [key]);
            await using var conn = await db.OpenAsync();
            await conn.ExecuteAsync("INSERT INTO rollouts_tuf_metadata (role, version, document, expires_at, created_at) VALUES ('targets', @v, @document, @e, @e)",
                new { v = latest.Version + 1, document, e = DateTimeOffset.UtcNow.AddDays(30) });
        }
        var store = new ArtifactStore(db, tuf, TimeProvider.System);
        var times = new List<double>();
        for (var p = 0; p < publishes; p++)
        {
            var started = Stopwatch.GetTimestamp();
            await store.PublishAsync(new NewArtifact("01bench000000000000000team", null, "fw", $"1.0.{p}", ["rpi4"], "", [], "fw.bin", "application/octet-stream",
                new JsonObject { ["kind"] = "bench" }), RandomNumberGenerator.GetBytes(1024), CancellationToken.None);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var targets = await tuf.GetAsync("targets", null);
        var snapshot = await tuf.GetAsync("snapshot", null);
        var timestamp = await tuf.GetAsync("timestamp", null);
        // reference: only canonicalise and sign the final targets document once (no parsing, no database)
        var targetsSigned = JsonNode.Parse(targets!.Document)!["signed"]!.AsObject();
        using var refKey = TufKey.Generate();
        var refTimes = new List<double>();
        for (var r = 0; r < Math.Max(3, publishes / 2); r++)
        {
            var started = Stopwatch.GetTimestamp();
            refKey.Sign(CanonicalJson.Encode(targetsSigned));
            refTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        times.Sort();
        refTimes.Sort();
        var p50 = times[times.Count / 2];
        var ref50 = refTimes[refTimes.Count / 2];
        Console.WriteLine($"| {n:N0} | {p50:0.0} | {times[^1]:0.0} | {System.Text.Encoding.UTF8.GetByteCount(targets.Document):N0} | {System.Text.Encoding.UTF8.GetByteCount(snapshot!.Document):N0} | {System.Text.Encoding.UTF8.GetByteCount(timestamp!.Document):N0} | {ref50:0.0} | {p50 / ref50:0.00} |");
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }
}

async Task DecisionsAsync(int devices)
{
    var (db, dir) = await NewDatabaseAsync();
    try
    {
        const string team = "01bench000000000000000team";
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, devices).Select(_ => Ids.New()).ToList();
        await using (var conn = await db.OpenAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await conn.ExecuteAsync("""
                INSERT INTO rollouts_devices (id, team_id, name, device_type, labels, attributes, software, inventory_hash, health_status, health, agent_version,
                  enrolled_at, last_seen_at, check_ins) VALUES (@id, @team, @name, 'rpi4', '{}', '{}', '[]', '', 'ok', '{}', '1', @now, @now, 0)
                """, ids.Select((id, i) => new { id, team, name = $"d{i}", now }), tx);
            await conn.ExecuteAsync("""
                INSERT INTO rollouts_artifacts (id, team_id, name, version, device_types, size, sha256, target_name, file_name, content_type, description, labels,
                  source, targets_version, created_at, updated_at) VALUES ('art', @team, 'fw', '1', '["rpi4"]', 1, 'x', 't/a/fw.bin', 'fw.bin', 'x', '', '{}', '{}', 1, @now, @now)
                """, new { team, now }, tx);
            await tx.CommitAsync();
        }
        var deployments = new DeploymentStore(db, TimeProvider.System);
        var phases = new List<Phase> { new(5, 0), new(25, 0), new(100, 0) };
        var rollout = new RolloutRow
        {
            Id = Ids.New(), TeamId = team, Name = "bench", ArtifactId = "art", GroupId = "g", Phases = System.Text.Json.JsonSerializer.Serialize(phases, System.Text.Json.JsonSerializerOptions.Web),
            FailureThreshold = 10, State = "running", CreatedAt = now, UpdatedAt = now,
        };
        await deployments.CreateAsync(rollout, DeploymentStore.AssignPhases(rollout.Id, ids, phases));
        var orchestrator = new DeploymentOrchestrator(deployments,
            new RolloutEvents(deployments, new NoEvents(), new DeploymentOptions(), TimeProvider.System, NullLogger<RolloutEvents>.Instance),
            new DeploymentOptions(), new RolloutsOptions(), new Leases(), TimeProvider.System, NullLogger<DeploymentOrchestrator>.Instance);
        var stepTimes = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await orchestrator.StepAsync(team, rollout.Id); // phase 0 released, devices pending and online: it waits
            stepTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        if (Environment.GetEnvironmentVariable("BENCH_DEBUG") is not null)
        {
            var t0 = Stopwatch.GetTimestamp();
            await deployments.CountsAsync(rollout.Id);
            var t1 = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var t2s = Stopwatch.GetTimestamp();
            var n = await deployments.ChangeAsync(team, rollout.Id, change => change.UnsettledAsync(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(-30)));
            Console.Error.WriteLine($"counts {t1:0.0} ms, unsettled {Stopwatch.GetElapsedTime(t2s).TotalMilliseconds:0.0} ms ({n})");
            await using var c = await db.OpenAsync();
            foreach (var row in await c.QueryAsync<string>("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM rollouts_deployment_devices d JOIN rollouts_devices v ON v.id = d.device_id WHERE d.rollout_id = @r AND d.released = 1 AND ((d.state IN ('downloading', 'installing') AND d.updated_at >= '2000') OR (d.state = 'pending' AND v.last_seen_at >= '2000'))", new { r = rollout.Id }))
                Console.Error.WriteLine(row);
        }
        var (rate, p99) = await LoopAsync(async id =>
        {
            await deployments.ActiveForDeviceAsync(id, CancellationToken.None);
            await deployments.TakeAbortNoticesAsync(id, CancellationToken.None);
        });
        var (refRate, _) = await LoopAsync(async id =>
        {
            await using var conn = await db.OpenAsync();
            await conn.QuerySingleOrDefaultAsync<string>("SELECT name FROM rollouts_devices WHERE id = @id", new { id });
        });
        stepTimes.Sort();
        Console.WriteLine($"| {devices:N0} | {rate:N0} | {p99:0.00} | {refRate:N0} | {rate / refRate:0.00} | {stepTimes[stepTimes.Count / 2]:0.0} |");

        async Task<(double Rate, double P99)> LoopAsync(Func<string, Task> call)
        {
            var stop = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var all = new List<double>[workers];
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                var list = all[w] = [];
                while (Stopwatch.GetTimestamp() < stop)
                {
                    var started = Stopwatch.GetTimestamp();
                    await call(ids[random.Next(ids.Count)]);
                    list.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            })));
            var merged = all.SelectMany(l => l).Order().ToList();
            return (merged.Count / seconds, merged[(int)(merged.Count * 0.99)]);
        }
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }
}

sealed class Factory(string connectionString) : IDbConnectionFactory
{
    public ISqlDialect Dialect { get; } = new SqliteDialect();

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}

sealed class Leases : ILeaseManager
{
    public Task<ILease?> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken = default) => Task.FromResult<ILease?>(new Lease(name));

    private sealed class Lease(string name) : ILease
    {
        public string Name => name;
        public Task<bool> RenewAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

sealed class NoEvents : IEventPublisher
{
    public Task PublishAsync<TData>(TData data, string? teamId = null, CancellationToken cancellationToken = default) where TData : IEventData => Task.CompletedTask;
}
