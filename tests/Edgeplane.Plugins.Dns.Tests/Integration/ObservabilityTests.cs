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
    public async Task Openapi_describes_every_seed_route_under_the_dns_tag()
    {
        var text = await fixture.Host.Client.GetStringAsync("/openapi/v1.json");
        var paths = System.Text.Json.Nodes.JsonNode.Parse(text)!["paths"]!.AsObject();
        foreach (var (path, method) in new[]
        {
            ("/dns/api/auth/signup", "post"), ("/dns/api/auth/login", "post"), ("/dns/api/zones/add", "post"), ("/dns/api/zones/list", "get"),
            ("/dns/api/zone/{zone}/delete", "post"), ("/dns/api/zone/{zone}/add", "post"), ("/dns/api/zone/{zone}/records", "get"),
            ("/dns/api/zone/{zone}/users", "get"), ("/dns/api/zone/{zone}/delete_record/{index}", "post"), ("/dns/api/zone/{zone}/export", "get"),
            ("/dns/api/admin", "get"), ("/dns/api/user/acl", "get"), ("/dns/api/user/acl", "put"), ("/dns/api/user/change_password", "post"),
            ("/dns/api/counters", "get"), ("/dns/api/nodes/geoloc", "get"), ("/dns/api/nodes/add", "post"), ("/dns/api/nodes/list", "get"),
            ("/dns/api/nodes/power", "post"), ("/dns/api/stats", "get"), ("/dns/api/users", "get"), ("/dns/api/user/{user}/toggle", "post"),
            ("/dns/api/debug/refresh_zones", "get"), ("/dns/api/debug/clear_queue", "get"), ("/dns/api/debug/queue_status", "get"),
            ("/dns/api/debug/refresh_cache", "get"), ("/dns/api/debug/update_collector_monitoring", "get"), ("/dns/api/debug/healthcheck", "get"),
        })
            Assert.True(paths[path]?[method]?["tags"]?[0]?.GetValue<string>() == "dns", $"{method} {path}");

        var validator = Path.Combine(RepoPaths.Root, "tests", "tools", "openapi-validator", "validate.sh");
        if (!File.Exists(validator) || !File.Exists("/usr/bin/node")) Assert.Skip("node and the repository's OpenAPI validator are needed for the last step");
        var info = new System.Diagnostics.ProcessStartInfo(validator) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-");
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, output);
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
