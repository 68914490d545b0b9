using System.Net.Http.Headers;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>One real host with only the eBPF plugin; a team with a key per role and another team's admin key.</summary>
public sealed class EbpfHostFixture : IAsyncLifetime
{
    public const long MaxReportBytes = 2 * 1024 * 1024;
    public HostProcess Host { get; private set; } = null!;
    public IdentityClient Admin { get; private set; } = null!;
    public string TeamId { get; private set; } = "";
    public string OtherTeamId { get; private set; } = "";
    public Dictionary<string, string> Keys { get; } = [];
    public string OtherTeamAdminKey { get; private set; } = "";

    /// <summary>The plugin's base URL as an agent is given it.</summary>
    public string Server => $"http://127.0.0.1:{Host.Port}/ebpf";

    public async ValueTask InitializeAsync()
    {
        var options = new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Ebpf"],
            Environment =
            {
                ["Edgeplane__Plugins__ebpf__MaxReportBytes"] = MaxReportBytes.ToString(),
                ["Edgeplane__Plugins__ebpf__ReportIntervalSeconds"] = "5",
            },
        };
        // EBPF_TEST_POSTGRES=<connection string> runs the same tests on PostgreSQL (an empty database).
        if (Environment.GetEnvironmentVariable("EBPF_TEST_POSTGRES") is { Length: > 0 } postgres)
        {
            options.Environment["Edgeplane__Database__Provider"] = "postgres";
            options.Environment["Edgeplane__Database__ConnectionString"] = postgres;
        }
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
        Admin.Dispose();
        await Host.DisposeAsync();
    }
}
