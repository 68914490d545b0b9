using Edgeplane.Plugins.Dns.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The server's in-memory view of every zone. It is rebuilt from the database whenever the change
/// counter (<c>dns_state.generation</c>, bumped in every write transaction by any host instance)
/// moves; the counter is polled every <see cref="DnsServerOptions.RefreshIntervalMs"/> and checked at
/// once after a local change, so answers follow API changes well within a second.
/// </summary>
public sealed class ZoneViewProvider(DnsStore store, DnsServerOptions options, ILogger<ZoneViewProvider> logger) : BackgroundService
{
    private volatile ZoneView _view = ZoneView.Empty;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _reload = new(1, 1);

    public ZoneView Current => _view;

    /// <summary>Whether the view has been loaded from the database at least once.</summary>
    public bool Loaded { get; private set; }

    /// <summary>Asks for an immediate check (after a change made through this instance).</summary>
    public void Poke()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    /// <summary>Reloads now, whatever the counter says (the debug refresh routes).</summary>
    public async Task<ZoneView> ReloadAsync(CancellationToken ct = default)
    {
        await _reload.WaitAsync(ct);
        try
        {
            var view = await store.LoadViewAsync(ct);
            _view = view;
            Loaded = true;
            logger.LogDebug("DNS view reloaded: {Zones} zones, generation {Generation}", view.Zones.Count, view.Generation);
            return view;
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>
    /// Loads the first view before the plugin counts as started (the DNS server starts after this), so that
    /// a fresh start never answers from an empty view while the database holds zones.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReloadAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "DNS view could not be loaded at start; retrying in the background");
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var generation = await store.GenerationAsync(stoppingToken);
                if (generation != _view.Generation || ReferenceEquals(_view, ZoneView.Empty)) await ReloadAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The migration may not have run yet at startup, or the database may be briefly away: keep serving the last view.
                if (failures++ % 40 == 0) logger.LogWarning(e, "DNS view refresh failed; serving the last view");
            }
            try
            {
                await _wake.WaitAsync(options.RefreshIntervalMs, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
