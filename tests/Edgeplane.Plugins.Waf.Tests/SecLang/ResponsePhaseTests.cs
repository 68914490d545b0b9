using System.Text;
using Edgeplane.Plugins.Waf.SecLang;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.Tests.SecLang;

/// <summary>Phases 3 and 4: the upstream's response (status, headers, then body) checked in the request's transaction.</summary>
public sealed class ResponsePhaseTests
{
    private static SecLangTransaction Requested(string rules, string uri = "/")
    {
        var transaction = new SecLangTransaction(RuleSetLoader.LoadText(rules),
            SecLangRequest.FromText("127.0.0.1", 1234, "GET", uri, "HTTP/1.1", [new("Host", "a.example")], null));
        Assert.False(transaction.Evaluate().Blocked);
        return transaction;
    }

    private static SecLangResponse Response(int status = 200, string contentType = "text/html", params (string, string)[] headers) =>
        SecLangResponse.FromText(status, "HTTP/1.1", status == 503 ? "Service Unavailable" : "OK", [new("Content-Type", contentType), new("Server", "nginx/1.22"), .. headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2))]);

    [Theory]
    [InlineData("RESPONSE_STATUS \"@streq 500\"", 500, true)]
    [InlineData("RESPONSE_STATUS \"@streq 500\"", 200, false)]
    [InlineData("RESPONSE_HEADERS:Server \"@contains nginx\"", 200, true)]
    [InlineData("RESPONSE_HEADERS:X-Missing \"@contains nginx\"", 200, false)]
    [InlineData("RESPONSE_HEADERS_NAMES \"@streq X-Powered-By\"", 200, true)]
    [InlineData("RESPONSE_CONTENT_TYPE \"@beginsWith text/html\"", 200, true)]
    [InlineData("RESPONSE_PROTOCOL \"@streq HTTP/1.1\"", 200, true)]
    [InlineData("STATUS_LINE \"@streq HTTP/1.1 503 Service Unavailable\"", 503, true)]
    public void Phase_3_sees_the_status_and_headers(string rule, int status, bool blocked)
    {
        var transaction = Requested($"SecRule {rule} \"id:1,phase:3,deny,status:502\"");
        var result = transaction.EvaluateResponseHeaders(Response(status, "text/html; charset=utf-8", ("X-Powered-By", "PHP/8.2")));
        Assert.Equal(blocked, result.Blocked);
        if (blocked) Assert.Equal(502, result.Status);
    }

    [Fact]
    public void Phase_4_sees_the_body_and_its_length()
    {
        var rules = "SecRule RESPONSE_BODY \"@contains SQL syntax\" \"id:1,phase:4,deny\"\nSecRule RESPONSE_CONTENT_LENGTH \"@gt 1000\" \"id:2,phase:4,deny\"";
        var leak = Requested(rules);
        Assert.False(leak.EvaluateResponseHeaders(Response()).Blocked);
        var result = leak.EvaluateResponseBody(Encoding.UTF8.GetBytes("<p>You have an error in your SQL syntax near '1'</p>"));
        Assert.Equal(1, result.Interrupting?.Id);

        var fine = Requested(rules);
        Assert.False(fine.EvaluateResponseHeaders(Response()).Blocked);
        Assert.False(fine.EvaluateResponseBody(Encoding.UTF8.GetBytes("<p>hello</p>")).Blocked);

        var large = Requested(rules);
        Assert.False(large.EvaluateResponseHeaders(Response(headers: ("Content-Length", "2000"))).Blocked);
        Assert.Equal(2, large.EvaluateResponseBody(new byte[2000]).Interrupting?.Id);
    }

    [Fact]
    public void What_the_request_phases_wrote_is_seen_by_the_response_phases()
    {
        var transaction = Requested("SecAction \"id:1,phase:1,pass,nolog,setvar:tx.admin=1\"\nSecRule TX:admin \"@eq 1\" \"id:2,phase:3,deny\"");
        Assert.Equal(2, transaction.EvaluateResponseHeaders(Response()).Interrupting?.Id);
    }

    [Fact]
    public void Allow_skips_the_response_phases_and_allow_request_does_not()
    {
        const string Deny = "SecRule RESPONSE_STATUS \"@streq 200\" \"id:9,phase:3,deny\"";
        Assert.False(Requested($"SecAction \"id:1,phase:1,allow\"\n{Deny}").EvaluateResponseHeaders(Response()).Blocked);
        Assert.True(Requested($"SecAction \"id:1,phase:1,allow:request\"\n{Deny}").EvaluateResponseHeaders(Response()).Blocked);
    }

    [Fact]
    public void A_response_result_reports_only_the_responses_own_matches()
    {
        var transaction = Requested("SecAction \"id:1,phase:1,pass,log\"\nSecRule RESPONSE_STATUS \"@streq 200\" \"id:2,phase:3,pass,log\"");
        Assert.Equal([2], transaction.EvaluateResponseHeaders(Response()).Matches.Select(m => m.Id));
    }

    [Fact]
    public void The_crs_blocks_a_response_that_leaks_an_sql_error()
    {
        var set = RuleSetLoader.LoadFiles([CoreRuleSetTests.Setup, .. Directory.GetFiles(CoreRuleSetTests.Rules, "*.conf").Order(StringComparer.Ordinal)]);
        SecLangTransaction Send()
        {
            var t = new SecLangTransaction(set, SecLangRequest.FromText("192.0.2.10", 50000, "GET", "/products?id=2", "HTTP/1.1",
                [new("Host", "shop.example"), new("User-Agent", "Mozilla/5.0 Firefox/128.0"), new("Accept", "text/html")], null));
            Assert.False(t.Evaluate().Blocked);
            Assert.False(t.EvaluateResponseHeaders(Response()).Blocked);
            return t;
        }
        var leak = Send().EvaluateResponseBody(Encoding.UTF8.GetBytes(
            "<html><body>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''' at line 1</body></html>"));
        Assert.True(leak.Blocked, string.Join(", ", leak.Matches.Select(m => m.Id)));
        Assert.Equal(959100, leak.Interrupting!.Id);
        Assert.Contains(leak.Matches, m => m.Id / 1000 == 951);

        var page = Send().EvaluateResponseBody(Encoding.UTF8.GetBytes("<html><body><h1>Blue teapot</h1><p>In stock: 3</p></body></html>"));
        Assert.False(page.Blocked, string.Join(", ", page.Matches.Select(m => $"{m.Id} {m.Message}")));
    }
}
