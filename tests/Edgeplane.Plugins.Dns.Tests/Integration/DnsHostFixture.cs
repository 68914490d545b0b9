using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>One real host with only the DNS plugin, its DNS server on a free loopback port.</summary>
public class DnsHostFixture : IAsyncLifetime
{
    public HostProcess Host { get; private set; } = null!;
    public int DnsPort { get; } = FreeUdpAndTcpPort();

    /// <summary>The database settings (none: the host's default SQLite file).</summary>
    protected virtual Task<Dictionary<string, string?>> DatabaseAsync() => Task.FromResult(new Dictionary<string, string?>());

    /// <summary>Host settings beyond the database and the DNS listener: sign-up is allowed (the seed's routes need it).</summary>
    protected virtual void Configure(Dictionary<string, string?> settings) => settings["Edgeplane__Identity__AllowSignup"] = "true";

    public async ValueTask InitializeAsync()
    {
        var environment = new Dictionary<string, string?>(await DatabaseAsync())
        {
            ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{DnsPort}",
            ["Edgeplane__Plugins__dns__TransferAllowed"] = "127.0.0.1",
            ["Edgeplane__Plugins__dns__NameServers"] = "ns1.example.net;ns2.example.net",
        };
        Configure(environment);
        Host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Dns"], Environment = environment });
    }

    public virtual async ValueTask DisposeAsync() => await Host.DisposeAsync();

    /// <summary>A client for the seed's API: base <c>/dns/api/</c>, the key in <c>X-API-Key</c>.</summary>
    public HttpClient Api(string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Host.BaseAddress, "/dns/api/"), Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    /// <summary>Signs up a new user through the seed's routes and logs in: an API client with the returned key.</summary>
    public async Task<(HttpClient Client, string Username, string Key)> NewAccountAsync()
    {
        var username = "u" + Guid.NewGuid().ToString("N")[..12];
        const string password = "correct horse battery staple";
        using var anonymous = Api(null);
        using var signup = await anonymous.PostAsJsonAsync("auth/signup", new { username, password });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        using var login = await anonymous.PostAsJsonAsync("auth/login", new { username, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var key = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["key"]!;
        return (Api(key), username, key);
    }

    private readonly SemaphoreSlim _sharedLock = new(1, 1);
    private HttpClient? _shared;

    /// <summary>One signed-up account shared by the tests that need no account of their own (password hashing is slow on purpose).</summary>
    public async Task<HttpClient> SharedAccountAsync()
    {
        await _sharedLock.WaitAsync();
        try
        {
            return _shared ??= (await NewAccountAsync()).Client;
        }
        finally
        {
            _sharedLock.Release();
        }
    }

    private static int FreeUdpAndTcpPort()
    {
        for (var i = 0; i < 50; i++)
        {
            var port = FreePort.Next();
            try
            {
                using var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (System.Net.Sockets.SocketException) { }
        }
        throw new InvalidOperationException("no free port");
    }
}

public static class Http
{
    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> PostJsonAsync(this HttpClient client, string path, object? body, HttpStatusCode expected)
    {
        using var response = await client.PostAsJsonAsync(path, body ?? new { });
        return await response.JsonAsync(expected);
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(path);
        return await response.JsonAsync(expected);
    }
}

/// <summary>The same host on PostgreSQL (a fresh database; see <see cref="Postgres"/>).</summary>
public sealed class PostgresDnsHostFixture(Postgres postgres) : DnsHostFixture
{
    private readonly TempDirectory _dir = new();

    protected override Task<Dictionary<string, string?>> DatabaseAsync() => postgres.CreateDatabaseAsync(_dir.Path);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }
}
