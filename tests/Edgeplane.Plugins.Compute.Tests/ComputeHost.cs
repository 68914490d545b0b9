using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Compute.Tests;

/// <summary>
/// The real host with only the Compute plugin, a real podman engine registered as node <c>local</c>
/// and the busybox test image in the catalog as <c>busybox</c>. Reconciliation runs every second.
/// </summary>
public abstract class ComputeHost : IAsyncLifetime
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    protected abstract string Provider { get; }

    private string? _databaseSkip;
    private readonly TempDirectory _databaseDirectory = new();

    /// <summary>Skips the test (with the reason) when podman or the database server is not available here.</summary>
    public void SkipIfUnavailable()
    {
        if (_databaseSkip is not null) Assert.Skip(_databaseSkip);
        Podman.SkipIfUnavailable();
    }

    public PodmanEngine Podman { get; } = new();
    public HostProcess Host { get; private set; } = null!;
    /// <summary>The bootstrap admin's key sent as the seed's lowercase <c>x-api-key</c> header.</summary>
    public HttpClient Admin { get; private set; } = null!;
    public string NodeId { get; private set; } = "";
    /// <summary>What the host was started with (database, plugin settings), to start a second instance on the same database.</summary>
    public Dictionary<string, string?> Environment { get; private set; } = [];
    /// <summary>The same engine served on 127.0.0.1 over TLS with a client certificate (a "remote" node).</summary>
    public Engine.EngineTunnel? TlsEngine { get; private set; }

    public async ValueTask InitializeAsync()
    {
        _databaseSkip = TestDatabases.Unavailable(Provider);
        if (_databaseSkip is not null) return;
        await Podman.InitializeAsync();
        var environment = await TestDatabases.CreateAsync(Provider, _databaseDirectory.Path);
        if (Podman.SkipReason is null)
        {
            TlsEngine = new Engine.EngineTunnel(Podman.SocketPath, tls: true, _databaseDirectory.Path);
            environment["Edgeplane__Plugins__compute__Tls__CaFile"] = TlsEngine.CaFile;
            environment["Edgeplane__Plugins__compute__Tls__CertFile"] = TlsEngine.CertFile;
            environment["Edgeplane__Plugins__compute__Tls__KeyFile"] = TlsEngine.KeyFile;
        }
        environment["Edgeplane__Plugins__compute__ReconcileIntervalSeconds"] = "1";
        environment["Edgeplane__Plugins__compute__StopTimeoutSeconds"] = "1";
        environment["Edgeplane__Plugins__compute__PullMissingImages"] = "true";
        environment["Edgeplane__Plugins__compute__Quota__MaxInstances"] = "20";
        environment["Edgeplane__Plugins__compute__Quota__MaxMemory"] = "4g";
        Environment = environment;
        Host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Compute"], Environment = new(environment) });
        Admin = KeyClient(Host.AdminKey);
        if (Podman.SkipReason is not null) return;
        var node = await Created(await Admin.PostAsJsonAsync("/compute/api/nodes/create",
            new { name = "local", tags = "test,podman", ram = "2g", disk = "10g", processor = "2", address = Podman.Address }));
        NodeId = (string)node["id"]!;
        await Created(await Admin.PostAsJsonAsync("/compute/api/images/create",
            new { name = "busybox", reference = PodmanEngine.TestImage, memory = "64m", cpu = "0.5", description = "busybox httpd serving /www on port 80" }));
    }

    /// <summary>A client that presents <paramref name="key"/> the seed's way: <c>x-api-key</c>.</summary>
    public HttpClient KeyClient(string key)
    {
        var client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("x-api-key", key);
        return client;
    }

    public static async Task<JsonObject> Created(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        if (TlsEngine is not null) await TlsEngine.DisposeAsync();
        if (_databaseSkip is null) await Podman.DisposeAsync();
        _databaseDirectory.Dispose();
    }
}

public sealed class SqliteComputeHost : ComputeHost
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresComputeHost : ComputeHost
{
    protected override string Provider => "postgres";
}
