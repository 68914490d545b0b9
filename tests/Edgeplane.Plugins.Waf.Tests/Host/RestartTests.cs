using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Waf.Tests.Proxy;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>Rule hits, stats and threats survive a restart of the real host: all of them after a graceful stop, all but the last sync interval after a kill -9.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly TempDirectory _data = new();
    private readonly int _proxyPort = FreePort.Next();
    private readonly string _adminKey = "ep_restart_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
    private Upstream _upstream = null!;
    private HostProcess? _host;

    public async ValueTask InitializeAsync() => _upstream = await Upstream.StartAsync();

    private Task<HostProcess> StartAsync(double syncIntervalSeconds) => HostProcess.StartAsync(new HostOptions
    {
        Plugins = ["Edgeplane.Plugins.Waf"],
        DataDirectory = _data.Path,
        Environment = new()
        {
            ["Edgeplane__Bootstrap__AdminApiKey"] = _adminKey,
            ["Edgeplane__Plugins__waf__Proxy__Upstream"] = _upstream.Address.ToString(),
            ["Edgeplane__Plugins__waf__Proxy__Listen"] = $"http://127.0.0.1:{_proxyPort}",
            ["Edgeplane__Plugins__waf__SyncIntervalSeconds"] = syncIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    });

    private HttpClient Api()
    {
        var client = new HttpClient { BaseAddress = new Uri(_host!.BaseAddress, "/waf/"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-SecBeat-API-Key", _adminKey);
        return client;
    }

    private async Task SendAsync(int canaries, int attacks)
    {
        using var proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_proxyPort}") };
        for (var i = 0; i < canaries; i++)
            Assert.Equal(HttpStatusCode.OK, (await proxy.GetAsync("/?x=restart-canary", Ct)).StatusCode);
        for (var i = 0; i < attacks; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await proxy.GetAsync("/?q=%3Cscript%3Ealert(1)%3C/script%3E", Ct)).StatusCode);
    }

    private async Task<(long Hits, long Processed, long Blocked, long Xss, long FromLoopback)> ReadAsync(string ruleId)
    {
        using var api = Api();
        var rule = await api.GetFromJsonAsync<JsonObject>($"api/v1/rules/{ruleId}", Ct);
        var stats = await api.GetFromJsonAsync<JsonObject>("api/v1/stats", Ct);
        var threats = await api.GetFromJsonAsync<JsonObject>("api/v1/threats", Ct);
        return ((long)rule!["hits"]!, (long)stats!["packets_processed"]!, (long)stats["attacks_blocked"]!,
            (long?)threats!["attack_types"]!["xss"] ?? 0,
            threats["top_attackers"]!.AsArray().Where(a => (string)a!["ip"]! == "127.0.0.1").Select(a => (long)a!["attacks"]!).SingleOrDefault());
    }

    [Fact]
    public async Task Hits_stats_and_threats_survive_a_graceful_stop_and_a_kill()
    {
        // a sync interval far longer than the test: only the stop can have saved anything
        _host = await StartAsync(syncIntervalSeconds: 600);
        string ruleId;
        using (var api = Api())
        {
            using var created = await api.PostAsJsonAsync("api/v1/rules", new { pattern = "(?i)restart-canary", action = "log", severity = "low" }, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ruleId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;
        }
        await SendAsync(canaries: 5, attacks: 3);
        await _host.StopAsync();
        await _host.DisposeAsync();

        _host = await StartAsync(syncIntervalSeconds: 0.5);
        var afterStop = await ReadAsync(ruleId);
        Assert.Equal(5, afterStop.Hits);
        Assert.Equal(8, afterStop.Processed);
        Assert.Equal(3, afterStop.Blocked);
        Assert.Equal(3, afterStop.Xss);
        Assert.Equal(3, afterStop.FromLoopback);

        // kill -9: what was counted more than one sync interval before the kill is kept
        await SendAsync(canaries: 4, attacks: 2);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        await _host.DisposeAsync();
        _host = await StartAsync(syncIntervalSeconds: 0.5);
        var afterKill = await ReadAsync(ruleId);
        Assert.Equal(9, afterKill.Hits);
        Assert.Equal(8 + 6, afterKill.Processed);
        Assert.Equal(5, afterKill.Blocked);
        Assert.Equal(5, afterKill.Xss);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
