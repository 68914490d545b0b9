using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// One host with only the DNS plugin, mounted with the <c>seed</c> profile at the root of its own port, so that the
/// document's base <c>https://packetframe.com/api/</c> is <c>http://127.0.0.1:{port}/api/</c>.
/// </summary>
public sealed class SeedHostFixture : DnsHostFixture
{
    public int SeedPort { get; } = FreePort.Next();

    protected override void Configure(Dictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Edgeplane__Plugins__dns__Mounts__0__At"] = $":{SeedPort}";
        settings["Edgeplane__Plugins__dns__Mounts__0__Profile"] = "seed";
    }

    /// <summary>A client as the document's users wrote them: the base URL, JSON bodies, the key in <c>X-API-Key</c>.</summary>
    public HttpClient Seed(string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{SeedPort}/api/"), Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }
}

/// <summary>
/// Scripts written for PacketFrame's API work unchanged: every route of the document (its tables are its examples),
/// called as the document and the original's public server define it — JSON bodies with the documented fields, the
/// key in <c>X-API-Key</c> — against a seed mount, answers 200 with <c>{"success": bool, "message": …}</c> and the
/// payload in <c>message</c>; record indexes are positions in the list, renumbered after a delete; TTLs up to
/// 2147483647; a TXT value sent in quotes is published without them. Only host and port change.
/// </summary>
public sealed class SeedDocumentTests(SeedHostFixture fixture) : IClassFixture<SeedHostFixture>
{
    private const string Password = "correct horse battery staple";

    private static async Task<JsonObject> AnswerAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        var answer = JsonNode.Parse(text)!.AsObject();
        Assert.True(answer["success"] is JsonValue, $"no success field: {text}");
        Assert.True(answer.ContainsKey("message"), $"no message field: {text}");
        return answer;
    }

    private static async Task<JsonObject> PostAsync(HttpClient api, string path, object? body = null)
    {
        using var response = body is null ? await api.PostAsync(path, null) : await api.PostAsJsonAsync(path, body);
        return await AnswerAsync(response);
    }

    private static async Task<JsonObject> GetAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(path);
        return await AnswerAsync(response);
    }

    private static void Succeeded(JsonObject answer) => Assert.True((bool)answer["success"]!, answer.ToJsonString());

    private static void Failed(JsonObject answer)
    {
        Assert.False((bool)answer["success"]!, answer.ToJsonString());
        Assert.False(string.IsNullOrWhiteSpace((string?)answer["message"]), answer.ToJsonString());
    }

    /// <summary>/auth/signup then /auth/login: the API key is the login answer's <c>message</c>.</summary>
    private async Task<(HttpClient Api, string Username)> AccountAsync()
    {
        var username = "u" + Guid.NewGuid().ToString("N")[..12];
        using var anonymous = fixture.Seed(null);
        Succeeded(await PostAsync(anonymous, "auth/signup", new { username, password = Password }));
        var login = await PostAsync(anonymous, "auth/login", new { username, password = Password });
        Succeeded(login);
        var key = (string)login["message"]!;
        Assert.StartsWith("ep_", key);
        return (fixture.Seed(key), username);
    }

    private static string NewZone() => $"z{Guid.NewGuid():N}"[..14] + ".com";

    [Fact]
    public async Task Signup_and_login_answer_in_the_envelope_and_a_bad_password_is_a_failure_not_a_key()
    {
        var (_, username) = await AccountAsync();
        using var anonymous = fixture.Seed(null);
        var bad = await PostAsync(anonymous, "auth/login", new { username, password = "wrong password here" });
        Failed(bad);
        Failed(await PostAsync(anonymous, "auth/signup", new { username, password = Password })); // taken
    }

    [Fact]
    public async Task Zones_add_list_users_export_and_delete_answer_as_the_original()
    {
        var (api, username) = await AccountAsync();
        var zone = NewZone();
        Succeeded(await PostAsync(api, "zones/add", new { zone }));
        Failed(await PostAsync(api, "zones/add", new { zone })); // exists
        Failed(await PostAsync(api, "zones/add", new { zone = "not a zone" }));

        var list = await GetAsync(api, "zones/list");
        Succeeded(list);
        var mine = list["message"]!.AsArray().Single(z => (string)z!["zone"]! == zone)!;
        Assert.Equal("forward", (string)mine["type"]!);
        Assert.Contains(username, mine["users"]!.AsArray().Select(u => (string)u!));
        Assert.Empty(mine["records"]!.AsArray());

        var users = await GetAsync(api, $"zone/{zone}/users");
        Succeeded(users);
        Assert.Equal([username], users["message"]!.AsArray().Select(u => (string)u!));

        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.0.2.1" }));
        var export = await GetAsync(api, $"zone/{zone}/export");
        Succeeded(export);
        Assert.Matches(@"(?m)^www\s+300\s+IN\s+A\s+192\.0\.2\.1$", (string)export["message"]!);

        Succeeded(await PostAsync(api, $"zone/{zone}/delete"));
        Failed(await GetAsync(api, $"zone/{zone}/records")); // gone
        Failed(await PostAsync(api, $"zone/{zone}/delete"));
    }

    [Fact]
    public async Task Record_indexes_are_positions_renumbered_after_a_delete_and_stable_ids_are_an_extension()
    {
        var (api, _) = await AccountAsync();
        var zone = NewZone();
        Succeeded(await PostAsync(api, "zones/add", new { zone }));
        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "a", type = "A", ttl = 300, value = "192.0.2.1" }));
        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "b", type = "A", ttl = 300, value = "192.0.2.2" }));
        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "@", type = "MX", ttl = 300, value = "mail." + zone + ".", priority = 10 }));

        var records = (await GetAsync(api, $"zone/{zone}/records"))["message"]!.AsArray();
        Assert.Equal(["a", "b", "@"], records.Select(r => (string)r!["label"]!));
        Assert.Equal("10 mail." + zone + ".", (string)records[2]!["value"]!); // the original's MX value: priority and exchange
        var ids = records.Select(r => (int)r!["id"]!).ToList();
        Assert.Equal(3, ids.Distinct().Count());

        Succeeded(await PostAsync(api, $"zone/{zone}/delete_record/0"));
        records = (await GetAsync(api, $"zone/{zone}/records"))["message"]!.AsArray();
        Assert.Equal(["b", "@"], records.Select(r => (string)r!["label"]!)); // "b" is index 0 now
        Assert.Equal(ids[1..], records.Select(r => (int)r!["id"]!)); // its stable id did not change

        Succeeded(await PostAsync(api, $"zone/{zone}/delete_record/1"));
        records = (await GetAsync(api, $"zone/{zone}/records"))["message"]!.AsArray();
        Assert.Equal(["b"], records.Select(r => (string)r!["label"]!));
        Failed(await PostAsync(api, $"zone/{zone}/delete_record/1")); // no record at that position now
        Failed(await PostAsync(api, $"zone/{zone}/delete_record/-1"));
        Assert.Single((await GetAsync(api, $"zone/{zone}/records"))["message"]!.AsArray());
    }

    [Fact]
    public async Task Ttl_range_is_the_originals()
    {
        var (api, _) = await AccountAsync();
        var zone = NewZone();
        Succeeded(await PostAsync(api, "zones/add", new { zone }));
        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "long", type = "A", ttl = 2147483647, value = "192.0.2.1" }));
        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "week", type = "A", ttl = 604801, value = "192.0.2.1" }));
        Failed(await PostAsync(api, $"zone/{zone}/add", new { label = "zero", type = "A", ttl = 0, value = "192.0.2.1" }));
        Failed(await PostAsync(api, $"zone/{zone}/add", new { label = "over", type = "A", ttl = 2147483648L, value = "192.0.2.1" }));

        var records = (await GetAsync(api, $"zone/{zone}/records"))["message"]!.AsArray();
        Assert.Equal([2147483647L, 604801L], records.Select(r => (long)r!["ttl"]!));
        Assert.Contains("2147483647", await Dig.DigAsync(fixture.DnsPort, "+norec", "+noall", "+answer", "long." + zone, "A"));
    }

    [Fact]
    public async Task A_txt_value_sent_in_quotes_is_published_without_literal_quotes()
    {
        var (api, _) = await AccountAsync();
        var zone = NewZone();
        Succeeded(await PostAsync(api, "zones/add", new { zone }));
        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "@", type = "TXT", ttl = 300, value = "\"v=spf1 -all\"" }));
        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "dkim", type = "TXT", ttl = 300, value = "\"v=DKIM1; k=rsa; \" \"p=MIGf\\\"AB\"" }));
        Succeeded(await PostAsync(api, $"zone/{zone}/add", new { label = "plain", type = "TXT", ttl = 300, value = "hello world" }));

        var spf = await Dig.DigAsync(fixture.DnsPort, "+norec", "+short", zone, "TXT");
        Assert.Equal(["v=spf1 -all"], Dig.CharacterStrings(spf).Select(Encoding.UTF8.GetString));
        var dkim = await Dig.DigAsync(fixture.DnsPort, "+norec", "+short", "dkim." + zone, "TXT");
        Assert.Equal("v=DKIM1; k=rsa; p=MIGf\"AB", string.Concat(Dig.CharacterStrings(dkim).Select(Encoding.UTF8.GetString)));
        var plain = await Dig.DigAsync(fixture.DnsPort, "+norec", "+short", "plain." + zone, "TXT");
        Assert.Equal(["hello world"], Dig.CharacterStrings(plain).Select(Encoding.UTF8.GetString));

        var records = (await GetAsync(api, $"zone/{zone}/records"))["message"]!.AsArray();
        Assert.Equal("v=spf1 -all", (string)records[0]!["value"]!);
        Assert.DoesNotContain("\\\"v=spf1", (string)(await GetAsync(api, $"zone/{zone}/export"))["message"]!);
    }

    [Fact]
    public async Task Account_routes_answer_in_the_envelope()
    {
        var (api, _) = await AccountAsync();
        var admin = await GetAsync(api, "admin");
        Assert.False((bool)admin["success"]!); // the original: success is whether the caller is an admin
        using var hostAdmin = fixture.Seed(fixture.Host.AdminKey);
        Assert.True((bool)(await GetAsync(hostAdmin, "admin"))["success"]!);

        var acl = await GetAsync(api, "user/acl");
        Succeeded(acl);
        Assert.Empty(acl["message"]!.AsArray());
        Succeeded(await PutAsync(api, "user/acl", new { address = "127.0.0.0/8" }));
        Assert.Equal(["127.0.0.0/8"], (await GetAsync(api, "user/acl"))["message"]!.AsArray().Select(a => (string)a!));
        Failed(await PutAsync(api, "user/acl", new { address = "not an address" }));

        Succeeded(await GetAsync(api, "counters"));
        Succeeded(await GetAsync(api, "nodes/geoloc"));
        Succeeded(await PostAsync(api, "user/change_password", new { password = Password, new_password = Password + " again" }));
    }

    private static async Task<JsonObject> PutAsync(HttpClient api, string path, object body)
    {
        using var response = await api.PutAsJsonAsync(path, body);
        return await AnswerAsync(response);
    }

    [Fact]
    public async Task Admin_and_debug_routes_answer_in_the_envelope()
    {
        using var admin = fixture.Seed(fixture.Host.AdminKey);
        var name = "n" + Guid.NewGuid().ToString("N")[..8];
        Succeeded(await PostAsync(admin, "nodes/add", new { name, address = "127.0.0.1", port = 53, location = "Lab", latitude = 1.5, longitude = 2.5 }));
        var nodes = await GetAsync(admin, "nodes/list");
        Succeeded(nodes);
        Assert.Contains(nodes["message"]!.AsArray(), n => (string)n!["name"]! == name);
        Succeeded(await PostAsync(admin, "nodes/power", new { name, state = "off" }));
        Failed(await PostAsync(admin, "nodes/power", new { name, state = "sideways" }));
        var geoloc = await GetAsync(admin, "nodes/geoloc");
        Assert.NotNull(geoloc["message"]![name]);
        var stats = await GetAsync(admin, "stats");
        Succeeded(stats);
        Assert.NotNull(stats["message"]!["zones"]);

        var (_, username) = await AccountAsync();
        var users = await GetAsync(admin, "users");
        Assert.Contains(users["message"]!.AsArray(), u => (string)u!["username"]! == username);
        Succeeded(await PostAsync(admin, $"user/{username}/toggle"));
        Failed(await PostAsync(admin, "user/nosuchuser/toggle"));

        foreach (var debug in new[] { "refresh_zones", "clear_queue", "queue_status", "refresh_cache", "update_collector_monitoring", "healthcheck" })
            Succeeded(await GetAsync(admin, "debug/" + debug));
    }

    [Fact]
    public async Task A_zone_of_another_account_is_a_failure()
    {
        var (owner, _) = await AccountAsync();
        var (other, _) = await AccountAsync();
        var zone = NewZone();
        Succeeded(await PostAsync(owner, "zones/add", new { zone }));
        Failed(await GetAsync(other, $"zone/{zone}/records"));
        Failed(await PostAsync(other, $"zone/{zone}/add", new { label = "x", type = "A", ttl = 300, value = "192.0.2.9" }));
        Assert.Empty((await GetAsync(owner, $"zone/{zone}/records"))["message"]!.AsArray());
    }
}
