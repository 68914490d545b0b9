using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Waf.Tests.Engine;
using Edgeplane.Plugins.Waf.Tests.Proxy;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>geo_block on the real host: refused without country data, enforced from the operator's MaxMind-format database.</summary>
public sealed class GeoBlockTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();
    private Upstream _upstream = null!;
    private HostProcess? _host;

    public async ValueTask InitializeAsync() => _upstream = await Upstream.StartAsync();

    private async Task<(HttpClient Api, Uri Proxy)> StartHostAsync(string? mmdb)
    {
        var proxy = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var environment = new Dictionary<string, string?>
        {
            ["Edgeplane__Plugins__waf__Proxy__Upstream"] = _upstream.Address.ToString(),
            ["Edgeplane__Plugins__waf__Proxy__Listen"] = proxy.ToString(),
        };
        if (mmdb is not null) environment["Edgeplane__Plugins__waf__GeoIpMmdb"] = mmdb;
        _host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Waf"], Environment = environment });
        var api = new HttpClient { BaseAddress = new Uri(_host.BaseAddress, "/waf/"), Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Add("X-SecBeat-API-Key", _host.AdminKey);
        return (api, proxy);
    }

    /// <summary>A client whose connections come from <paramref name="source"/> (any 127.0.0.0/8 address is this machine).</summary>
    private static HttpClient ClientFrom(string source, Uri proxy) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = proxy };

    private static object GeoPolicy(params string[] countries) => new { name = "geo", rules = new object[] { new { type = "geo_block", countries } } };

    [Fact]
    public async Task Without_a_country_database_geo_block_is_refused_saying_what_to_configure()
    {
        var (api, _) = await StartHostAsync(mmdb: null);
        using (api)
        {
            using var refused = await api.PostAsJsonAsync("api/v1/policy", GeoPolicy("CN"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var message = (string)JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["errors"]!["rules[0].countries"]![0]!;
            Assert.Contains("GeoIpMmdb", message);
            Assert.Equal(0, (int)(await api.GetFromJsonAsync<JsonObject>("api/v1/policy", Ct))!["total"]!);
            // the rest of a policy still deploys
            using var rate = await api.PostAsJsonAsync("api/v1/policy", new { name = "rate", rules = new object[] { new { type = "rate_limit", value = 100 } } }, Ct);
            Assert.Equal(HttpStatusCode.Created, rate.StatusCode);
        }
    }

    [Fact]
    public async Task Geo_block_blocks_the_countries_of_the_operators_maxmind_database()
    {
        var mmdb = _temp.Combine("countries.mmdb");
        new MmdbWriter().Add("127.0.0.1/32", "CN").Add("127.0.0.2/32", "RU").Add("127.0.1.0/24", "US").Write(mmdb);
        var (api, proxy) = await StartHostAsync(mmdb);
        using (api)
        using (var fromCn = ClientFrom("127.0.0.1", proxy))
        using (var fromRu = ClientFrom("127.0.0.2", proxy))
        using (var fromNowhere = ClientFrom("127.0.0.3", proxy))
        {
            using (var deployed = await api.PostAsJsonAsync("api/v1/policy", GeoPolicy("CN"), Ct))
                Assert.Equal(HttpStatusCode.Created, deployed.StatusCode);
            using (var blocked = await fromCn.GetAsync("/echo", Ct))
            {
                Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
                var block = await api.GetFromJsonAsync<JsonObject>($"api/v1/blocks/{blocked.Headers.GetValues("X-Request-Id").Single()}", Ct);
                Assert.Equal("geo_block", (string)block!["attack_type"]!);
                Assert.Contains("CN", (string)block["reason"]!);
            }
            Assert.Equal(HttpStatusCode.OK, (await fromRu.GetAsync("/echo", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await fromNowhere.GetAsync("/echo", Ct)).StatusCode);

            using (var deployed = await api.PostAsJsonAsync("api/v1/policy", GeoPolicy("RU", "US"), Ct))
                Assert.Equal(HttpStatusCode.Created, deployed.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await fromCn.GetAsync("/echo", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await fromRu.GetAsync("/echo", Ct)).StatusCode);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        await _upstream.DisposeAsync();
        _temp.Dispose();
    }
}
