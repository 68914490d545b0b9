using System.Net.Http.Headers;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>One real host with only the eBPF plugin; a team with a key per role and another team's admin key.</summary>
public class EbpfHostFixture : IAsyncLifetime
{
    /// <summary>The database provider the host runs on.</summary>
    protected virtual string Provider => "sqlite";

    /// <summary>Why this fixture's database is not available here, or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Skips the calling test when the fixture's database is not available.</summary>
    public void RequireDatabase()
    {
        if (SkipReason is not null) Assert.Skip(SkipReason);
    }

    public const long MaxReportBytes = 2 * 1024 * 1024;
    public HostProcess Host { get; private set; } = null!;
    public IdentityClient Admin { get; private set; } = null!;
    public string TeamId { get; private set; } = "";
    public string OtherTeamId { get; private set; } = "";
    public Dictionary<string, string> Keys { get; } = [];
    public string OtherTeamAdminKey { get; private set; } = "";

    /// <summary>The plugin's base URL as an agent is given it.</summary>
    public string Server => $"http://127.0.0.1:{Host.Port}/ebpf";

    /// <summary>A dedicated listener with the seed profile: bpfdeploy's API as its document states it.</summary>
    public int SeedPort { get; } = FreePort.Next();

    /// <summary>A client of the seed mount as the document describes one: base <c>…/api/v1/</c>, <c>Authorization: apiKey KEY</c>.</summary>
    public HttpClient SeedClient(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{SeedPort}/api/v1/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "apiKey " + key);
        return client;
    }

    public async ValueTask InitializeAsync()
    {
        SkipReason = TestDatabases.Unavailable(Provider);
        if (SkipReason is not null) return;
        var options = new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Ebpf"],
            Environment =
            {
                ["Edgeplane__Plugins__ebpf__MaxReportBytes"] = MaxReportBytes.ToString(),
                ["Edgeplane__Plugins__ebpf__ReportIntervalSeconds"] = "5",
                ["Edgeplane__Plugins__ebpf__Mounts__0"] = "/ebpf",
                ["Edgeplane__Plugins__ebpf__Mounts__1__At"] = $":{SeedPort}",
                ["Edgeplane__Plugins__ebpf__Mounts__1__Profile"] = "seed",
            },
        };
        if (Provider != "sqlite")
            foreach (var (k, v) in await TestDatabases.CreateAsync(Provider, Path.GetTempPath())) options.Environment[k] = v;
        Host = await HostProcess.StartAsync(options);
        Admin = await IdentityClient.SignInAsAdminAsync(Host);
        TeamId = await Admin.CreateTeamAsync("kernel-team");
        OtherTeamId = await Admin.CreateTeamAsync("other-team");
        foreach (var role in new[] { "viewer", "operator", "admin" })
            Keys[role] = await Admin.KeyForNewMemberAsync(TeamId, role);
        OtherTeamAdminKey = await Admin.KeyForNewMemberAsync(OtherTeamId, "admin");
    }

    /// <summary>A client sending the seed's header form, <c>Authorization: apiKey KEY</c>.</summary>
    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Server + "/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("apiKey", key);
        return client;
    }

    public HttpClient Anonymous() => new() { BaseAddress = new Uri(Server + "/"), Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        if (SkipReason is not null) return;
        Admin.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>The same host on PostgreSQL (a fresh database on <c>EDGEPLANE_TEST_POSTGRES</c>; skipped without it).</summary>
public sealed class EbpfPostgresHostFixture : EbpfHostFixture
{
    protected override string Provider => "postgres";
}
