using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Host.Tests.Security;

/// <summary>
/// Wherever a plugin stores an address, only canonical dotted-decimal IPv4 and valid IPv6 text are taken: the
/// forms inet_aton reads differently (<c>192.168.010.001</c> is 192.168.8.1) are a 400 naming the field.
/// </summary>
public sealed class AddressInputTests(AllPluginsFixture fixture) : IClassFixture<AllPluginsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Lenient => ["192.168.010.001", "010.000.000.001", "0x7f.0.0.1", "1", "127.1", "1.2.3.4.5", "256.0.0.1"];

    /// <summary>For addresses a plugin sends traffic to: read leniently, each is 127.0.0.1, so even a regression stays on loopback.</summary>
    public static TheoryData<string> LenientLoopback => ["0177.0.0.1", "0x7f.0.0.1", "127.1", "2130706433", "127.000.000.001"];

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.True(JsonNode.Parse(text)?["errors"]?[field] is not null, $"no error for '{field}': {text}");
    }

    private async Task<string> ZoneAsync(HttpClient admin, string zone)
    {
        using var created = await admin.PostAsJsonAsync("/dns/api/zones/add", new { zone }, Ct);
        Assert.True(created.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await created.Content.ReadAsStringAsync(Ct));
        return zone;
    }

    [Theory]
    [MemberData(nameof(Lenient))]
    public async Task A_dns_a_record_takes_only_canonical_dotted_decimal(string value)
    {
        using var admin = fixture.Host.AdminClient();
        var zone = await ZoneAsync(admin, "address-input.example");

        using var response = await admin.PostAsJsonAsync($"/dns/api/zone/{zone}/add", new { label = "host", type = "A", ttl = 300, value }, Ct);

        await AssertFieldErrorAsync(response, "value");
        Assert.DoesNotContain("\"host\"", await admin.GetStringAsync($"/dns/api/zone/{zone}/records", Ct));
    }

    [Fact]
    public async Task A_canonical_address_is_stored_as_written()
    {
        using var admin = fixture.Host.AdminClient();
        var zone = await ZoneAsync(admin, "address-canonical.example");

        using var v4 = await admin.PostAsJsonAsync($"/dns/api/zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.168.10.1" }, Ct);
        using var v6 = await admin.PostAsJsonAsync($"/dns/api/zone/{zone}/add", new { label = "www", type = "AAAA", ttl = 300, value = "2001:DB8:0:0::1" }, Ct);

        Assert.Equal(HttpStatusCode.Created, v4.StatusCode);
        Assert.Equal(HttpStatusCode.Created, v6.StatusCode);
        var records = await admin.GetStringAsync($"/dns/api/zone/{zone}/records", Ct);
        Assert.Contains("\"192.168.10.1\"", records);
        Assert.Contains("\"2001:db8::1\"", records);
    }

    [Theory]
    [MemberData(nameof(Lenient))]
    public async Task A_waf_blacklist_entry_takes_only_canonical_addresses_and_ranges(string ip)
    {
        using var admin = fixture.Host.AdminClient();

        using var address = await admin.PostAsJsonAsync("/waf/api/v1/blacklist", new { ip, reason = "lenient", duration_seconds = 60 }, Ct);
        using var range = await admin.PostAsJsonAsync("/waf/api/v1/blacklist", new { ip = ip + "/32", reason = "lenient", duration_seconds = 60 }, Ct);

        await AssertFieldErrorAsync(address, "ip");
        await AssertFieldErrorAsync(range, "ip");
        Assert.DoesNotContain("lenient", await admin.GetStringAsync("/waf/api/v1/blacklist", Ct));
    }

    [Theory]
    [MemberData(nameof(LenientLoopback))]
    public async Task Dns_nodes_and_acl_entries_take_only_canonical_addresses(string address)
    {
        using var admin = fixture.Host.AdminClient();

        using var node = await admin.PostAsJsonAsync("/dns/api/nodes/add", new { name = "lenient-node", address, location = "lab" }, Ct);
        using var acl = await admin.PutAsJsonAsync("/dns/api/user/acl", new { acl = address }, Ct);
        using var aclRange = await admin.PutAsJsonAsync("/dns/api/user/acl", new { acl = address + "/8" }, Ct);

        await AssertFieldErrorAsync(node, "address");
        await AssertFieldErrorAsync(acl, "acl");
        await AssertFieldErrorAsync(aclRange, "acl");
        Assert.DoesNotContain("lenient-node", await admin.GetStringAsync("/dns/api/nodes/list", Ct));
    }

    [Theory]
    [InlineData("0177.0.0.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("tcp://127.1")]
    [InlineData("2130706433")]
    public async Task A_compute_node_address_takes_only_canonical_addresses(string address)
    {
        using var admin = fixture.Host.AdminClient();

        using var response = await admin.PostAsJsonAsync("/compute/api/nodes/create",
            new { name = "lenient", tags = "t", ram = "1g", disk = "1g", processor = "1", address, port = 2375, tls = false }, Ct);

        await AssertFieldErrorAsync(response, "address");
    }

    [Theory]
    [InlineData("0x7f.0.0.1:8080")]
    [InlineData("0177.0.0.1:80")]
    [InlineData("[::1%eth0]:80")]
    public async Task A_waf_node_heartbeat_address_takes_only_canonical_addresses(string address)
    {
        using var admin = fixture.Host.AdminClient();

        using var response = await admin.PostAsJsonAsync("/waf/api/v1/nodes/lenient-node/heartbeat", new { address, mode = "l7", status = "healthy", load = 0.1 }, Ct);

        await AssertFieldErrorAsync(response, "address");
    }
}
