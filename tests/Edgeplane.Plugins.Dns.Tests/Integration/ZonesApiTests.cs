using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

public sealed class ZonesApiTests(DnsHostFixture fixture) : ZonesApiTestsBase(fixture), IClassFixture<DnsHostFixture>;

/// <summary>The same tests with the host on PostgreSQL.</summary>
public sealed class ZonesApiTestsOnPostgres(PostgresDnsHostFixture fixture) : ZonesApiTestsBase(fixture), IClassFixture<PostgresDnsHostFixture>;

public abstract class ZonesApiTestsBase(DnsHostFixture fixture)
{
    private static string NewZone() => $"z{Guid.NewGuid():N}"[..14] + ".example";

    [Fact]
    public async Task Signup_login_and_zone_lifecycle_with_stable_indexes_and_serials()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        var created = await api.PostJsonAsync("zones/add", new { zone = zone.ToUpperInvariant() + "." }, HttpStatusCode.Created);
        Assert.Equal(zone, (string)created["zone"]!);
        Assert.Equal(1, (long)created["serial"]!);
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Conflict);

        var list = await api.GetJsonAsync("zones/list");
        Assert.Contains(list["zones"]!.AsArray(), z => (string)z!["zone"]! == zone);

        var a = await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.0.2.1" }, HttpStatusCode.Created);
        var b = await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.0.2.2" }, HttpStatusCode.Created);
        var c = await api.PostJsonAsync($"zone/{zone}/add", new { label = "@", type = "MX", ttl = 300, value = "mail." + zone, priority = 10 }, HttpStatusCode.Created);
        Assert.Equal([1, 2, 3], new[] { a, b, c }.Select(r => (int)r["index"]!));

        await api.PostJsonAsync($"zone/{zone}/delete_record/2", null, HttpStatusCode.OK);
        await api.PostJsonAsync($"zone/{zone}/delete_record/2", null, HttpStatusCode.NotFound);
        var d = await api.PostJsonAsync($"zone/{zone}/add", new { label = "txt", type = "TXT", value = "hello" }, HttpStatusCode.Created);
        Assert.Equal(4, (int)d["index"]!); // indexes are never reused
        Assert.Equal(3600, (int)d["ttl"]!);

        var records = await api.GetJsonAsync($"zone/{zone}/records");
        Assert.Equal([1, 3, 4], records["records"]!.AsArray().Select(r => (int)r!["index"]!));
        Assert.Equal(6, (long)records["serial"]!); // 1 + four adds + one delete

        var users = await api.GetJsonAsync($"zone/{zone}/users");
        Assert.Equal("owner", (string)users["users"]![0]!["role"]!);

        await api.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.OK);
        await api.GetJsonAsync($"zone/{zone}/records", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("not a zone")]
    [InlineData("com")]
    [InlineData("-bad.example")]
    [InlineData("")]
    [InlineData("co.uk")]
    [InlineData("github.io")]
    [InlineData("in-addr.arpa")]
    [InlineData("anything.ck")]
    [InlineData("192.0.2.1")]
    [InlineData("example.10")]
    public async Task Bad_zone_names_are_400_naming_the_field(string zone)
    {
        var api = await fixture.SharedAccountAsync();
        var problem = await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["zone"]);
    }

    /// <summary>Names below a public suffix, and the exceptions to its wildcard rules, are ordinary zones (Debian's list, read at run time).</summary>
    [Theory]
    [InlineData("{0}.co.uk")]
    [InlineData("{0}.github.io")]
    [InlineData("{0}.anything.ck")]
    [InlineData("www.ck")]
    [InlineData("city.kawasaki.jp")]
    public async Task Names_below_a_public_suffix_are_zones(string pattern)
    {
        var api = await fixture.SharedAccountAsync();
        var zone = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, $"z{Guid.NewGuid():N}"[..12]);
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Invalid_records_are_400_naming_the_field_and_store_nothing()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        var cases = new (object Body, string Field)[]
        {
            (new { label = "www", type = "A", value = "999.1.1.1" }, "value"),
            (new { label = "www", type = "AAAA", value = "192.0.2.1" }, "value"),
            (new { label = "www", type = "A", value = "192.0.2.1", ttl = 0 }, "ttl"),
            (new { label = "www", type = "A", value = "192.0.2.1", ttl = "soon" }, "ttl"),
            (new { label = "bad_-", type = "A", value = "192.0.2.1" }, "label"),
            (new { label = "www", type = "BOGUS", value = "x" }, "type"),
            (new { label = "@", type = "MX", value = "mail.example.com" }, "priority"),
            (new { label = "_sip._tcp", type = "SRV", value = "sip.example.com", priority = 1, weight = 1, port = 70000 }, "port"),
            (new { label = "1", type = "PTR", value = "host.example.com" }, "type"),
            (new { label = "@", type = "CNAME", value = "x.example.com" }, "label"),
            (new { label = "t", type = "TXT", value = new string('x', 3000) }, "value"),
        };
        foreach (var (body, field) in cases)
        {
            var problem = await api.PostJsonAsync($"zone/{zone}/add", body, HttpStatusCode.BadRequest);
            Assert.True(problem["errors"]?[field] is not null, $"{field}: {problem}");
        }
        // CNAME exclusivity against stored data.
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Conflict);
        var cname = await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "CNAME", value = "other.example.com" }, HttpStatusCode.BadRequest);
        Assert.NotNull(cname["errors"]!["label"]);

        var records = await api.GetJsonAsync($"zone/{zone}/records");
        Assert.Single(records["records"]!.AsArray());
        Assert.Equal(2, (long)records["serial"]!);
    }

    [Fact]
    public async Task Another_accounts_zone_is_404_until_shared()
    {
        var (alice, _, _) = await fixture.NewAccountAsync();
        var (bob, bobName, _) = await fixture.NewAccountAsync();
        var zone = NewZone();
        await alice.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await bob.GetJsonAsync($"zone/{zone}/records", HttpStatusCode.NotFound);
        await bob.PostJsonAsync($"zone/{zone}/add", new { label = "x", type = "A", value = "192.0.2.9" }, HttpStatusCode.NotFound);
        await bob.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.NotFound);
        Assert.DoesNotContain((await bob.GetJsonAsync("zones/list"))["zones"]!.AsArray(), z => (string)z!["zone"]! == zone);

        await alice.PostJsonAsync($"zone/{zone}/users", new { username = bobName }, HttpStatusCode.OK);
        await bob.PostJsonAsync($"zone/{zone}/add", new { label = "x", type = "A", value = "192.0.2.9" }, HttpStatusCode.Created);
        var users = await alice.GetJsonAsync($"zone/{zone}/users");
        Assert.Contains(users["users"]!.AsArray(), u => (string)u!["username"]! == bobName);
        Assert.Contains((await bob.GetJsonAsync("zones/list"))["zones"]!.AsArray(), z => (string)z!["zone"]! == zone);

        // Nobody else can take names inside (or above) another account's zone; the owner can.
        await bob.PostJsonAsync("zones/add", new { zone = "sub." + zone }, HttpStatusCode.Conflict);
        await alice.PostJsonAsync("zones/add", new { zone = "own." + zone }, HttpStatusCode.Created);
        var (carol, _, _) = await fixture.NewAccountAsync();
        await carol.PostJsonAsync("zones/add", new { zone = "deep.own." + zone }, HttpStatusCode.Conflict);

        // Host admins see every zone.
        using var admin = fixture.Api(fixture.Host.AdminKey);
        await admin.GetJsonAsync($"zone/{zone}/records");
    }

    [Fact]
    public async Task Sharing_grants_record_access_only()
    {
        var (alice, aliceName, _) = await fixture.NewAccountAsync();
        var (bob, bobName, _) = await fixture.NewAccountAsync();
        var (_, carolName, _) = await fixture.NewAccountAsync();
        var zone = NewZone();
        await alice.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await alice.PostJsonAsync($"zone/{zone}/users", new { username = bobName }, HttpStatusCode.OK);

        // Bob reads and writes records, and sees who has the zone.
        var added = await bob.PostJsonAsync($"zone/{zone}/add", new { label = "x", type = "A", value = "192.0.2.9" }, HttpStatusCode.Created);
        await bob.GetJsonAsync($"zone/{zone}/records");
        await bob.GetJsonAsync($"zone/{zone}/users");
        using (var export = await bob.GetAsync($"zone/{zone}/export")) Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        await bob.PostJsonAsync($"zone/{zone}/delete_record/{(int)added["index"]!}", null, HttpStatusCode.OK);

        // He cannot delete the zone, share it on, or change who has it (his own share included).
        await bob.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.Forbidden);
        await bob.PostJsonAsync($"zone/{zone}/users", new { username = carolName }, HttpStatusCode.Forbidden);
        await bob.PostJsonAsync($"zone/{zone}/users/remove", new { username = bobName }, HttpStatusCode.Forbidden);
        await bob.PostJsonAsync($"zone/{zone}/users/remove", new { username = aliceName }, HttpStatusCode.Forbidden);
        var users = await alice.GetJsonAsync($"zone/{zone}/users");
        Assert.Equal([aliceName, bobName], users["users"]!.AsArray().Select(u => (string)u!["username"]!));
        await alice.GetJsonAsync($"zone/{zone}/records");

        // The owner still can.
        await alice.PostJsonAsync($"zone/{zone}/users/remove", new { username = bobName }, HttpStatusCode.OK);
        await bob.GetJsonAsync($"zone/{zone}/records", HttpStatusCode.NotFound);
        await alice.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("MX", "@", "192.0.2.1")]
    [InlineData("MX", "@", "2001:db8::1")]
    [InlineData("NS", "sub", "192.0.2.53")]
    [InlineData("SRV", "_sip._tcp", "192.0.2.5")]
    [InlineData("CNAME", "alias", "192.0.2.1")]
    [InlineData("CNAME", "alias", "10.1")]
    [InlineData("PTR", "5", "192.0.2.1")]
    public async Task A_name_target_that_is_an_address_is_400_naming_value(string type, string label, string value)
    {
        var api = await fixture.SharedAccountAsync();
        var zone = type == "PTR" ? $"{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}.10.in-addr.arpa" : NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        var problem = await api.PostJsonAsync($"zone/{zone}/add", new { label, type, value, priority = 10, weight = 1, port = 443 }, HttpStatusCode.BadRequest);
        Assert.Contains("address", (string)problem["errors"]!["value"]![0]!);
        Assert.Empty((await api.GetJsonAsync($"zone/{zone}/records"))["records"]!.AsArray());
        await api.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.OK);
    }

    [Fact]
    public async Task One_rrset_has_one_ttl_in_records_export_and_answers()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.0.2.1" }, HttpStatusCode.Created);
        // Another TTL for the same name and type is refused, naming the field; without a TTL the record takes the RRset's.
        var refused = await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", ttl = 600, value = "192.0.2.2" }, HttpStatusCode.Conflict);
        Assert.Contains("300", (string)refused["errors"]!["ttl"]![0]!);
        var inherited = await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", value = "192.0.2.3" }, HttpStatusCode.Created);
        Assert.Equal(300, (int)inherited["ttl"]!);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "TXT", ttl = 60, value = "another rrset" }, HttpStatusCode.Created);

        var records = (await api.GetJsonAsync($"zone/{zone}/records"))["records"]!.AsArray();
        Assert.Equal([300, 300, 60], records.Select(r => (int)r!["ttl"]!));
        using var response = await api.GetAsync($"zone/{zone}/export");
        var loaded = await NamedCheckzone.LoadAsync(zone, await response.Content.ReadAsStringAsync());
        Assert.Equal(2, loaded.Count(l => l.StartsWith($"www.{zone}. 300 A ", StringComparison.Ordinal)));
        Assert.DoesNotContain(loaded, l => l.Split(' ')[1] == "600");

        // The answers and the transfer say the same.
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(fixture.DnsPort, "www." + zone, "A")).Count == 2);
        var answer = await Dig.DigAsync(fixture.DnsPort, "+norec", "+noall", "+answer", "www." + zone, "A");
        Assert.All(answer.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Equal("300", l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]));
        var axfr = (await Dig.DigAsync(fixture.DnsPort, "+noall", "+answer", zone, "AXFR")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith(';')).Select(NamedCheckzone.Canonical).ToList();
        Assert.Equal(loaded, axfr.Skip(1).Order().ToList());
    }

    [Fact]
    public async Task Parent_refuses_names_at_or_below_a_child_zone_or_a_delegation()
    {
        var api = await fixture.SharedAccountAsync();
        var parent = NewZone();
        var child = "sub." + parent;
        await api.PostJsonAsync("zones/add", new { zone = parent }, HttpStatusCode.Created);
        await api.PostJsonAsync("zones/add", new { zone = child }, HttpStatusCode.Created);

        // The child zone's names belong to the child: the parent holds nothing at or below its apex.
        foreach (var body in new object[]
        {
            new { label = "x.sub", type = "A", value = "192.0.2.1" },
            new { label = "sub", type = "TXT", value = "parent" },
            new { label = "sub", type = "NS", value = "ns1.example.net" },
            new { label = "deep.x." + child + ".", type = "A", value = "192.0.2.1" },
        })
        {
            var problem = await api.PostJsonAsync($"zone/{parent}/add", body, HttpStatusCode.Conflict);
            Assert.Contains(child, (string)problem["errors"]!["label"]![0]!);
        }
        await api.PostJsonAsync($"zone/{parent}/add", new { label = "subway", type = "A", value = "192.0.2.2" }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{child}/add", new { label = "x", type = "A", value = "192.0.2.3" }, HttpStatusCode.Created);

        // A delegation in the zone: below it only glue addresses, at it only the NS set.
        await api.PostJsonAsync($"zone/{parent}/add", new { label = "dept", type = "NS", value = "ns1.dept." + parent }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{parent}/add", new { label = "ns1.dept", type = "A", value = "192.0.2.53" }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{parent}/add", new { label = "ns1.dept", type = "AAAA", value = "2001:db8::53" }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{parent}/add", new { label = "dept", type = "NS", value = "ns2.example.net" }, HttpStatusCode.Created);
        foreach (var body in new object[]
        {
            new { label = "www.dept", type = "TXT", value = "occluded" },
            new { label = "dept", type = "TXT", value = "occluded" },
            new { label = "dept", type = "MX", value = "mail.example.net", priority = 1 },
            new { label = "a.b.dept", type = "CNAME", value = "x.example.net" },
        })
        {
            var problem = await api.PostJsonAsync($"zone/{parent}/add", body, HttpStatusCode.Conflict);
            Assert.Contains("dept." + parent, (string)problem["errors"]!["label"]![0]!);
        }
        // A delegation cannot be put above data it would hide.
        await api.PostJsonAsync($"zone/{parent}/add", new { label = "t.team", type = "TXT", value = "data" }, HttpStatusCode.Created);
        var hides = await api.PostJsonAsync($"zone/{parent}/add", new { label = "team", type = "NS", value = "ns1.example.net" }, HttpStatusCode.Conflict);
        Assert.Contains("t.team." + parent, (string)hides["errors"]!["label"]![0]!);

        // Nor a child zone created below records of its parent (they would disagree): delete them first.
        var taken = await api.PostJsonAsync("zones/add", new { zone = "team." + parent }, HttpStatusCode.Conflict);
        Assert.Contains("t.team." + parent, (string)taken["errors"]!["zone"]![0]!);
        await api.PostJsonAsync("zones/add", new { zone = "dept." + parent }, HttpStatusCode.Conflict);
        await api.PostJsonAsync("zones/add", new { zone = "subway." + parent }, HttpStatusCode.Conflict);
        await api.PostJsonAsync("zones/add", new { zone = "free." + parent }, HttpStatusCode.Created);

        // Only what was accepted is stored and served: the child answers its names, the parent the rest.
        Assert.Equal(6, (await api.GetJsonAsync($"zone/{parent}/records"))["records"]!.AsArray().Count);
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(fixture.DnsPort, "x." + child, "A")).Contains("192.0.2.3"));
        Assert.Equal(["192.0.2.2"], await Dig.ShortAsync(fixture.DnsPort, "subway." + parent, "A"));
    }

    [Fact]
    public async Task Export_is_accepted_by_named_checkzone_and_equals_the_api_records()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        object[] bodies =
        [
            new { label = "@", type = "A", ttl = 300, value = "192.0.2.1" },
            new { label = "www", type = "AAAA", ttl = 300, value = "2001:db8::1" },
            new { label = "alias", type = "CNAME", ttl = 60, value = "www." + zone },
            new { label = "@", type = "MX", ttl = 300, value = "mail." + zone, priority = 10 },
            new { label = "mail", type = "A", ttl = 300, value = "192.0.2.25" },
            new { label = "_sip._tcp", type = "SRV", ttl = 300, value = "sip.example.net", priority = 10, weight = 20, port = 5060 },
            new { label = "@", type = "TXT", ttl = 300, value = "v=spf1 \"quoted\" \\ -all" },
            new { label = "long", type = "TXT", ttl = 300, value = new string('y', 700) },
            new { label = "@", type = "CAA", ttl = 300, value = "letsencrypt.org", flags = 0, tag = "issue" },
            new { label = "sub", type = "NS", ttl = 300, value = "ns1.sub." + zone },
            new { label = "ns1.sub", type = "A", ttl = 300, value = "192.0.2.53" },
        ];
        foreach (var body in bodies) await api.PostJsonAsync($"zone/{zone}/add", body, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/delete_record/1", null, HttpStatusCode.OK);

        using var response = await api.GetAsync($"zone/{zone}/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var loaded = await NamedCheckzone.LoadAsync(zone, text);

        var records = await api.GetJsonAsync($"zone/{zone}/records");
        var expected = records["records"]!.AsArray()
            .Select(r => $"{(string)r!["name"]!} {(int)r["ttl"]!} {(string)r["type"]!} {(string)r["rdata"]!}")
            .Append($"{zone}. 3600 SOA ns1.example.net. hostmaster.{zone}. {(long)records["serial"]!} 3600 600 1209600 300")
            .Append($"{zone}. 86400 NS ns1.example.net.")
            .Append($"{zone}. 86400 NS ns2.example.net.")
            .Select(NamedCheckzone.Canonical).Order().ToList();
        Assert.Equal(expected, loaded);
        Assert.Equal(10, records["records"]!.AsArray().Count);
    }

    [Fact]
    public async Task Reverse_zone_takes_ptr()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = $"{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}.10.in-addr.arpa";
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "5", type = "PTR", value = "host.example.com" }, HttpStatusCode.Created);
        using var response = await api.GetAsync($"zone/{zone}/export");
        var loaded = await NamedCheckzone.LoadAsync(zone, await response.Content.ReadAsStringAsync());
        Assert.Contains($"5.{zone}. 3600 PTR host.example.com.", loaded);
    }

    [Fact]
    public async Task Credentials_are_required_and_checked()
    {
        using var anonymous = fixture.Api(null);
        using var none = await anonymous.GetAsync("zones/list");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using var wrong = fixture.Api("ep_wrong_key");
        using var bad = await wrong.GetAsync("zones/list");
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        using var badLogin = await anonymous.PostAsJsonAsync("auth/login", new { username = "nobody", password = "wrong password here" });
        Assert.Equal(HttpStatusCode.Unauthorized, badLogin.StatusCode);
        var weak = await anonymous.PostJsonAsync("auth/signup", new { username = "weakling" + Guid.NewGuid().ToString("N")[..6], password = "x" }, HttpStatusCode.BadRequest);
        Assert.NotNull(weak["errors"]!["password"]);
    }

    [Fact]
    public async Task Ip_acl_restricts_the_users_keys()
    {
        var (api, username, _) = await fixture.NewAccountAsync();
        Assert.Empty((await api.GetJsonAsync("user/acl"))["acl"]!.AsArray());
        // The first entry must allow where the caller is.
        using (var lockout = await api.PutAsJsonAsync("user/acl", new { acl = "192.0.2.0/24" }))
            await lockout.JsonAsync(HttpStatusCode.BadRequest);
        using (var ok = await api.PutAsJsonAsync("user/acl", new { acl = "127.0.0.1" }))
            await ok.JsonAsync(HttpStatusCode.OK);
        using (var more = await api.PutAsJsonAsync("user/acl", new { acl = "192.0.2.0/24" }))
            Assert.Equal(2, (await more.JsonAsync(HttpStatusCode.OK))["acl"]!.AsArray().Count);
        await api.GetJsonAsync("zones/list");
        // The user's browser session (not restricted by the ACL) removes the loopback entry: the key no longer works from here.
        using var session = await Edgeplane.Testing.IdentityClient.SignInAsync(fixture.Host, username, "correct horse battery staple");
        using (var removed = await session.DeleteAsync("/dns/api/user/acl?acl=127.0.0.1"))
            await removed.JsonAsync(HttpStatusCode.OK);
        using var denied = await api.GetAsync("zones/list");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("ACL", await denied.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Change_password()
    {
        var (api, username, _) = await fixture.NewAccountAsync();
        var wrong = await api.PostJsonAsync("user/change_password", new { password = "not it at all", new_password = "another long password" }, HttpStatusCode.BadRequest);
        Assert.NotNull(wrong["errors"]!["password"]);
        await api.PostJsonAsync("user/change_password", new { password = "correct horse battery staple", new_password = "another long password 2" }, HttpStatusCode.OK);
        using var anonymous = fixture.Api(null);
        using var old = await anonymous.PostAsJsonAsync("auth/login", new { username, password = "correct horse battery staple" });
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using var fresh = await anonymous.PostAsJsonAsync("auth/login", new { username, password = "another long password 2" });
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Admin_routes_are_for_host_admins()
    {
        var (user, username, _) = await fixture.NewAccountAsync();
        Assert.False((bool)(await user.GetJsonAsync("admin"))["admin"]!);
        foreach (var path in new[] { "nodes/list", "stats", "users", "debug/queue_status" })
        {
            using var response = await user.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var admin = fixture.Api(fixture.Host.AdminKey);
        Assert.True((bool)(await admin.GetJsonAsync("admin"))["admin"]!);
        var name = "node-" + Guid.NewGuid().ToString("N")[..6];
        var bad = await admin.PostJsonAsync("nodes/add", new { name, address = "not-an-ip", location = "Paris", latitude = 200 }, HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["address"]);
        Assert.NotNull(bad["errors"]!["latitude"]);
        var node = await admin.PostJsonAsync("nodes/add", new { name, address = "127.0.0.1", port = 1, location = "Paris", latitude = 48.85, longitude = 2.35 }, HttpStatusCode.Created);
        Assert.Contains((await admin.GetJsonAsync("nodes/list"))["nodes"]!.AsArray(), n => (string)n!["name"]! == name);
        var off = await admin.PostJsonAsync("nodes/power", new { node = name, state = false }, HttpStatusCode.OK);
        Assert.False((bool)off["enabled"]!);
        var counters = await user.GetJsonAsync("counters");
        Assert.True((int)counters["nodes"]! >= 1 && (int)counters["locations"]! >= 1);
        Assert.Contains((await user.GetJsonAsync("nodes/geoloc"))["nodes"]!.AsArray(), n => (string)n!["location"]! == "Paris");
        var stats = await admin.GetJsonAsync("stats");
        Assert.True((long)stats["users"]! >= 2);
        Assert.Contains((await admin.GetJsonAsync("users"))["users"]!.AsArray(), u => (string)u!["username"]! == username);

        var toggled = await admin.PostJsonAsync($"user/{username}/toggle", null, HttpStatusCode.OK);
        Assert.False((bool)toggled["enabled"]!);
        using var disabled = await user.GetAsync("zones/list");
        Assert.Equal(HttpStatusCode.Unauthorized, disabled.StatusCode);
        await admin.PostJsonAsync($"user/{username}/toggle", null, HttpStatusCode.OK);
        await admin.PostJsonAsync("nodes/power", new { node = (string)node["id"]!, state = true }, HttpStatusCode.OK);
    }
}
