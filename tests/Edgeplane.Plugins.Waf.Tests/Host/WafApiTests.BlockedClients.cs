using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Waf.Tests.Host;

// Whatever blocks a request (a rule, a default rule, the blacklist, a geo or rate-limit policy, the host guard),
// the client learns only that it was blocked and a request id; the operator finds the details by that id.
public sealed partial class WafApiTests
{
    [Fact]
    public async Task Every_block_answers_a_generic_problem_and_the_details_are_found_by_request_id()
    {
        var rule = await f.PostAsync("api/v1/rules", new { pattern = "quux-contraband", action = "block", severity = "high", tags = new[] { "smuggling-probe" } });
        var ruleId = (string)rule["id"]!;
        try
        {
            var custom = await BlockedAsync(f.Proxy, "/shop?item=quux-contraband", HttpStatusCode.Forbidden, ruleId, "smuggling-probe", "quux-contraband");
            await ExpectDetailsAsync(custom, ruleId, "smuggling-probe");

            var sqli = await BlockedAsync(f.Proxy, "/?id=1%20union%20select%201", HttpStatusCode.Forbidden, "default-sqli-union", "sqli");
            await ExpectDetailsAsync(sqli, "default-sqli-union", "sqli");

            var guarded = await BlockedAsync(f.Host.Client, "/api/v1/plugins?q=quux-contraband", HttpStatusCode.Forbidden, ruleId, "smuggling-probe");
            await ExpectDetailsAsync(guarded, ruleId, "smuggling-probe");
        }
        finally
        {
            await f.Api.DeleteAsync($"api/v1/rules/{ruleId}", Ct);
        }

        var entry = await f.PostAsync("api/v1/blacklist", new { ip = "127.0.0.1", reason = "scraper of invoice pages, ticket 4711" });
        try
        {
            var blacklisted = await BlockedAsync(f.Proxy, "/anything", HttpStatusCode.Forbidden, "ticket 4711", "blacklist", "127.0.0.1/32");
            var details = await ExpectDetailsAsync(blacklisted, null, "blacklist");
            Assert.Contains("ticket 4711", (string)details["reason"]!);
        }
        finally
        {
            await f.Api.DeleteAsync($"api/v1/blacklist/{entry["id"]}", Ct);
        }

        try
        {
            // the fixture's country file maps 127.0.0.0/8 to CN
            await f.PostAsync("api/v1/policy", new { name = "quiet-border-policy", rules = new object[] { new { type = "geo_block", countries = new[] { "CN" } } } });
            var geo = await BlockedAsync(f.Proxy, "/from-cn", HttpStatusCode.Forbidden, "quiet-border-policy", "geo_block", "CN");
            Assert.Contains("quiet-border-policy", (string)(await ExpectDetailsAsync(geo, null, "geo_block"))["reason"]!);

            await f.PostAsync("api/v1/policy", new { name = "quiet-rate-policy", rules = new object[] { new { type = "rate_limit", value = 1 } } });
            string? limitedId = null;
            for (var i = 0; i < 20 && limitedId is null; i++)
            {
                using var r = await f.Proxy.GetAsync("/burst", Ct);
                if (r.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.NotNull(r.Headers.RetryAfter);
                    limitedId = await GenericProblemAsync(r, HttpStatusCode.TooManyRequests, "requests per second", "http_flood", "quiet-rate-policy");
                }
            }
            Assert.NotNull(limitedId);
            var limited = await ExpectDetailsAsync(limitedId!, null, "http_flood");
            Assert.Equal(429, (int)limited["status"]!);
        }
        finally
        {
            await f.PostAsync("api/v1/policy", new { name = "open", rules = Array.Empty<object>() });
        }

        using var unknown = await f.Api.GetAsync("api/v1/blocks/no-such-request", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var recent = await f.GetAsync("api/v1/blocks?limit=5");
        Assert.Equal(5, recent["blocks"]!.AsArray().Count);
    }

    private static async Task<string> BlockedAsync(HttpClient client, string target, HttpStatusCode status, params string[] secrets)
    {
        using var response = await client.GetAsync(target, Ct);
        return await GenericProblemAsync(response, status, secrets);
    }

    /// <summary>The answer names the request id and nothing about why: no rule, attack type, reason, policy or address range.</summary>
    private static async Task<string> GenericProblemAsync(HttpResponseMessage response, HttpStatusCode status, params string[] secrets)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        foreach (var secret in secrets) Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["detail", "requestId", "status", "title", "type"], problem.Select(p => p.Key).Order().ToArray());
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Equal(requestId, (string)problem["requestId"]!);
        return requestId;
    }

    private async Task<JsonObject> ExpectDetailsAsync(string requestId, string? ruleId, string attackType)
    {
        var details = await f.GetAsync($"api/v1/blocks/{requestId}");
        Assert.Equal(requestId, (string)details["request_id"]!);
        Assert.Equal(ruleId, (string?)details["rule_id"]);
        Assert.Equal(attackType, (string)details["attack_type"]!);
        Assert.Equal("127.0.0.1", (string)details["client_ip"]!);
        Assert.False(string.IsNullOrEmpty((string?)details["reason"]));
        return details;
    }
}
