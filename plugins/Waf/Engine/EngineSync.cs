using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Edgeplane.Plugins.Waf.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// Keeps the engine's snapshot current. Standalone and orchestrator: polls the configuration version
/// in the database (so every host instance sharing it converges) and reloads on change; persists
/// rule hit counts. Node: pulls the orchestrator's configuration, keeps the last good one on disk and
/// goes on enforcing it while the orchestrator is unreachable, and heartbeats its load and counters.
/// </summary>
public sealed class EngineSync(
    WafEngine engine, WafStore store, SnapshotBuilder builder, WafOptions options, WafStatus status,
    OrchestratorOutbox outbox, ILogger<EngineSync> logger) : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0);
    private long _applied = -1;
    private HttpClient? _orchestrator;
    private CounterFile? _counterFile;
    private string? _stateFile;

    public long AppliedVersion => Interlocked.Read(ref _applied);
    public bool OrchestratorReachable { get; private set; }
    public DateTimeOffset? LastSyncAt { get; private set; }

    private string StateFile => _stateFile ??= InDataDirectory("waf-node-config.json");
    private CounterFile Counters => _counterFile ??= new CounterFile(InDataDirectory("waf-counters.json"));

    /// <summary>A file in the plugin's data directory; one written before SDK 2 in the host's data directory above it moves there.</summary>
    private string InDataDirectory(string name)
    {
        var path = Path.Combine(options.DataDirectory, name);
        var before = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.DataDirectory))!, name);
        if (!File.Exists(path) && File.Exists(before)) File.Move(before, path);
        return path;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        store.Changed += () => _signal.Release();
        // the SecLang rule files load first and outside the retried sync: one that cannot load fails the plugin's start
        _ = builder.SecLang;
        try
        {
            if (Counters.Load(engine.Counters))
                logger.LogInformation("WAF counters restored from {File}: {Inspected} requests inspected", Counters.Path, engine.Counters.Inspected);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            logger.LogWarning("WAF counters could not be read from {File}: {Error}; counting from zero", Counters.Path, e.Message);
        }
        LoadCountryDatabase();
        // load the configuration before the proxy (registered after this service) starts serving:
        // never forward traffic uninspected with an empty snapshot
        if (options.IsNode)
        {
            LoadLastGood();
            try
            {
                await SyncFromOrchestratorAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("WAF initial pull from the orchestrator failed: {Error}", e.Message);
            }
        }
        else
        {
            try
            {
                await SyncFromDatabaseAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("WAF initial configuration load failed: {Error}", e.Message);
            }
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(0.1, options.SyncIntervalSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (options.IsNode) await SyncFromOrchestratorAsync(stoppingToken);
                else await SyncFromDatabaseAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("WAF configuration sync failed (enforcing version {Version}): {Error}", AppliedVersion, e.Message);
            }
            await SaveCountersAsync(stoppingToken);
            try
            {
                await _signal.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A graceful stop persists what the loop would have persisted next: rule hits (to the database, or the orchestrator in a last heartbeat) and the counters.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            if (options.IsNode) await HeartbeatAsync(Orchestrator(), cancellationToken);
            else await FlushRuleHitsAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("WAF rule hits could not be saved on stop: {Error}", e.Message);
        }
        await SaveCountersAsync(cancellationToken);
    }

    private async Task SaveCountersAsync(CancellationToken ct)
    {
        try
        {
            await Counters.SaveAsync(engine.Counters, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("WAF counters could not be written to {File}: {Error}", Counters.Path, e.Message);
        }
    }

    private async Task FlushRuleHitsAsync(CancellationToken ct)
    {
        var hits = engine.Counters.DrainRuleHits();
        if (hits.Count == 0) return;
        try
        {
            await store.AddHitsAsync(hits, ct);
        }
        catch
        {
            engine.Counters.RestoreRuleHits(hits);
            throw;
        }
    }

    /// <summary>Reloads now (after a local change); returns when the new snapshot is applied.</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        if (!options.IsNode) await SyncFromDatabaseAsync(ct, force: true);
    }

    private readonly SemaphoreSlim _syncLock = new(1, 1);

    private async Task SyncFromDatabaseAsync(CancellationToken ct, bool force = false)
    {
        await _syncLock.WaitAsync(ct);
        try
        {
            var version = await store.GetVersionAsync(ct);
            if (force || version != AppliedVersion)
            {
                var config = await store.LoadConfigAsync(ct);
                engine.Apply(builder.Build(config));
                Interlocked.Exchange(ref _applied, config.Version);
                logger.LogInformation("WAF configuration version {Version} applied: {Rules} rules, {Blacklist} blacklist entries, policy {Policy}",
                    config.Version, engine.Snapshot.Rules.Count, engine.Snapshot.Blacklist.Count, config.Policy?.Name ?? "(none)");
            }
            LastSyncAt = DateTimeOffset.UtcNow;
            await FlushRuleHitsAsync(ct);
        }
        finally
        {
            _syncLock.Release();
        }
    }

    private HttpClient Orchestrator()
    {
        if (_orchestrator is not null) return _orchestrator;
        var url = options.Orchestrator.Url ?? throw new InvalidOperationException("Orchestrator:Url is required in the node role");
        _orchestrator = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(5) };
        if (options.Orchestrator.NodeKey is { Length: > 0 } nodeKey) _orchestrator.DefaultRequestHeaders.Add(Fleet.NodeAuth.Header, nodeKey);
        else if (options.Orchestrator.ApiKey is { } key) _orchestrator.DefaultRequestHeaders.Add("X-SecBeat-API-Key", key);
        return _orchestrator;
    }

    private DateTimeOffset _lastHeartbeat;
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    /// <summary>Reports load and counters, and hands over the rule hits and webhook events since the last heartbeat (kept for the next one when it fails).</summary>
    private async Task HeartbeatAsync(HttpClient client, CancellationToken ct)
    {
        _lastHeartbeat = DateTimeOffset.UtcNow;
        var hits = engine.Counters.DrainRuleHits();
        var raised = outbox.Take(OrchestratorOutbox.MaxPerHeartbeat);
        var delivered = false;
        try
        {
            using var beat = await client.PostAsJsonAsync($"api/v1/nodes/{Uri.EscapeDataString(options.NodeId)}/heartbeat", status.Heartbeat(AppliedVersion, hits, raised), ct);
            delivered = beat.IsSuccessStatusCode;
        }
        finally
        {
            if (!delivered)
            {
                engine.Counters.RestoreRuleHits(hits);
                outbox.Return(raised);
            }
        }
    }

    private async Task SyncFromOrchestratorAsync(CancellationToken ct)
    {
        var client = Orchestrator();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/nodes/config");
            if (AppliedVersion >= 0) request.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"{AppliedVersion}\""));
            using var response = await client.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.NotModified)
            {
                response.EnsureSuccessStatusCode();
                var json = await response.Content.ReadAsStringAsync(ct);
                var config = JsonSerializer.Deserialize(json, EngineFileJson.Default.WafConfig) ?? throw new InvalidDataException("empty configuration");
                engine.Apply(builder.Build(config));
                Interlocked.Exchange(ref _applied, config.Version);
                await File.WriteAllTextAsync(StateFile + ".tmp", json, ct);
                File.Move(StateFile + ".tmp", StateFile, overwrite: true);
                logger.LogInformation("WAF node applied orchestrator configuration version {Version}", config.Version);
                if (engine.Snapshot.Policy.BlockedCountries.Count > 0 && engine.GeoBlockUnavailable is { } why)
                    logger.LogError("WAF policy {Policy} blocks countries, but this node cannot enforce it: {Reason}", engine.Snapshot.Policy.Name, why);
            }
            OrchestratorReachable = true;
            LastSyncAt = DateTimeOffset.UtcNow;
            if (DateTimeOffset.UtcNow - _lastHeartbeat > HeartbeatInterval) await HeartbeatAsync(client, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            if (OrchestratorReachable) logger.LogWarning("WAF orchestrator unreachable ({Error}); enforcing last good configuration {Version}", e.Message, AppliedVersion);
            OrchestratorReachable = false;
        }
    }

    /// <summary>The operator's country database (MaxMind format preferred); without one, geo_block policies are refused.</summary>
    private void LoadCountryDatabase()
    {
        var path = options.GeoIpMmdb is { Length: > 0 } mmdb ? mmdb : options.GeoIpCsv;
        if (string.IsNullOrEmpty(path)) return;
        try
        {
            engine.Geo = path == options.GeoIpMmdb ? new MaxMindCountryDatabase(path) : GeoIpDatabase.Load(path);
            logger.LogInformation("WAF country database {Path}: {Description}", path, engine.Geo.Description);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or MaxMind.Db.InvalidDatabaseException)
        {
            logger.LogError("WAF country database {Path} could not be read: {Error}; geo_block policies are refused", path, e.Message);
        }
    }

    private void LoadLastGood()
    {
        try
        {
            if (!File.Exists(StateFile)) return;
            var config = JsonSerializer.Deserialize(File.ReadAllText(StateFile), EngineFileJson.Default.WafConfig);
            if (config is null) return;
            engine.Apply(builder.Build(config));
            Interlocked.Exchange(ref _applied, config.Version);
            logger.LogInformation("WAF node enforcing last good configuration {Version} from {File}", config.Version, StateFile);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            logger.LogWarning("WAF node could not read {File}: {Error}", StateFile, e.Message);
        }
    }

    public override void Dispose()
    {
        _orchestrator?.Dispose();
        base.Dispose();
    }
}
