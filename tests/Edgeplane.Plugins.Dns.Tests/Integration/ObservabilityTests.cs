using System.Net;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>The DNS server in the host's /readyz and /metrics; a listener that cannot bind does not take the host down.</summary>
public sealed class ObservabilityTests(DnsHostFixture fixture) : IClassFixture<DnsHostFixture>
{
    [Fact]
    public async Task Readyz_and_metrics_show_the_dns_server()
    {
        var ready = await fixture.Host.Client.GetJsonAsync("/readyz");
        var dns = ready["checks"]!.AsArray().First(c => (string)c!["name"]! == "dns")!;
        Assert.Equal("healthy", (string)dns["status"]!);

        Assert.Contains("status: REFUSED", await Dig.DigAsync(fixture.DnsPort, "example.org", "A"));
        await Dig.DigAsync(fixture.DnsPort, "+tcp", "example.org", "A");
        var metrics = await fixture.Host.Client.GetStringAsync("/metrics");
        Assert.Matches(@"edgeplane_dns_queries_total\{[^}]*rcode=""REFUSED""[^}]*transport=""udp""[^}]*\} [1-9]", metrics);
        Assert.Matches(@"edgeplane_dns_queries_total\{[^}]*transport=""tcp""[^}]*\} [1-9]", metrics);
    }

    [Fact]
    public async Task A_port_in_use_makes_readyz_unhealthy_but_the_api_serves()
    {
        await using var second = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Dns"],
            Environment = new() { ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{fixture.DnsPort}" },
        });
        using var response = await second.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var ready = await response.JsonAsync(HttpStatusCode.ServiceUnavailable);
        var dns = ready["checks"]!.AsArray().First(c => (string)c!["name"]! == "dns")!;
        Assert.Equal("unhealthy", (string)dns["status"]!);
        Assert.Contains("DNS listener failed", (string)dns["description"]!);
        using var api = new HttpClient { BaseAddress = new Uri(second.BaseAddress, "/dns/api/") };
        api.DefaultRequestHeaders.Add("X-API-Key", second.AdminKey);
        await api.GetJsonAsync("zones/list");
    }
}
