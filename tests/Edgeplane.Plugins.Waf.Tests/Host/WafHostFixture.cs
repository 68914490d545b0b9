using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Waf.Tests.Proxy;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>The real host with only the Waf plugin, its proxy in front of a real upstream, all on 127.0.0.1.</summary>
public sealed class WafHostFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    public Upstream Upstream { get; private set; } = null!;
    public HostProcess Host { get; private set; } = null!;
    public Uri ProxyAddress { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public HttpClient Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Upstream = await Upstream.StartAsync();
        var geo = _temp.Combine("geo.csv");
        await File.WriteAllTextAsync(geo, "network,country\n127.0.0.0/8,CN\n192.0.2.0/24,RU\n");
        var proxyPort = FreePort.Next();
        ProxyAddress = new Uri($"http://127.0.0.1:{proxyPort}");
        Host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Waf"],
            Environment = new()
            {
                ["Edgeplane__Plugins__waf__Proxy__Upstream"] = Upstream.Address.ToString(),
                ["Edgeplane__Plugins__waf__Proxy__Listen"] = ProxyAddress.ToString(),
                ["Edgeplane__Plugins__waf__GeoIpCsv"] = geo,
                ["Edgeplane__Plugins__waf__NodeId"] = "node-1",
                ["Edgeplane__Plugins__waf__EventThrottleSeconds"] = "0",
                ["Edgeplane__Plugins__waf__GuardHost"] = "true",
            },
        });
        // the seed's own header carries the key
        Api = new HttpClient { BaseAddress = new Uri(Host.BaseAddress, "/waf/"), Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Add("X-SecBeat-API-Key", Host.AdminKey);
        Proxy = new HttpClient { BaseAddress = ProxyAddress, Timeout = TimeSpan.FromSeconds(30) };
        await WaitForProxyAsync();
    }

    private async Task WaitForProxyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var r = await Proxy.GetAsync("/healthcheck");
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task<JsonObject> PostAsync(string path, object body, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.Created)
    {
        using var response = await Api.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path}: {(int)response.StatusCode} {text}\n{Host.Output[^Math.Min(3000, Host.Output.Length)..]}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<JsonObject> GetAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Polls until the proxy answers <paramref name="status"/> for <paramref name="target"/>.</summary>
    public async Task<bool> EventuallyAsync(string target, System.Net.HttpStatusCode status, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            using var r = await Proxy.GetAsync(target);
            if (r.StatusCode == status) return true;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        Proxy?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        if (Upstream is not null) await Upstream.DisposeAsync();
        _temp.Dispose();
    }
}
