using System.Text;
using Edgeplane.Plugins.Waf.SecLang;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.Tests.SecLang;

/// <summary>The OWASP CRS as Debian's modsecurity-crs package installs it (build/install-test-deps.sh), loaded unmodified.</summary>
public sealed class CoreRuleSetTests
{
    public const string Setup = "/etc/modsecurity/crs/crs-setup.conf";
    public const string Rules = "/usr/share/modsecurity-crs/rules";

    private static readonly Lazy<SecLangRuleSet> Crs = new(() =>
        RuleSetLoader.LoadFiles([Setup, .. Directory.GetFiles(Rules, "*.conf").Order(StringComparer.Ordinal)]));

    internal static SecLangResult Send(string method, string uri, (string, string)[]? headers = null, string? body = null, string? contentType = null)
    {
        var list = new List<KeyValuePair<string, string>>
        {
            new("Host", "shop.example"), new("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"), new("Accept", "text/html"),
        };
        foreach (var (k, v) in headers ?? []) list.Add(new(k, v));
        var bytes = body is null ? null : Encoding.UTF8.GetBytes(body);
        if (contentType is not null) list.Add(new("Content-Type", contentType));
        if (bytes is not null) list.Add(new("Content-Length", bytes.Length.ToString()));
        return new SecLangTransaction(Crs.Value, SecLangRequest.FromText("192.0.2.10", 50000, method, uri, "HTTP/1.1", list, bytes)).Evaluate();
    }

    [Fact]
    public void Loads_every_rule_file_unmodified()
    {
        var set = Crs.Value;
        Assert.True(set.Rules.Count(r => !r.IsMarker) > 500, $"{set.Rules.Count} rules");
        Assert.Contains(set.Rules, r => r.Id == 942100);
        Assert.Contains(set.Rules, r => r.Id == 949110);
    }

    [Theory]
    [InlineData("/?id=1%27%20OR%20%271%27=%271", 942100)]
    [InlineData("/?q=%3Cscript%3Ealert(1)%3C/script%3E", 941100)]
    [InlineData("/?file=../../../../etc/passwd", 930100)]
    [InlineData("/?cmd=;cat%20/etc/passwd", 932160)]
    public void Blocks_attacks_with_the_rule_that_found_them(string uri, int rule)
    {
        var result = Send("GET", uri);
        Assert.True(result.Blocked, string.Join(", ", result.Matches.Select(m => m.Id)));
        Assert.Equal(949110, result.Interrupting!.Id);
        Assert.Contains(result.Matches, m => m.Id == rule);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/v1/products?page=2&sort=price")]
    [InlineData("/search?q=how+to+bake+bread")]
    public void Lets_ordinary_requests_through(string uri)
    {
        var result = Send("GET", uri);
        Assert.False(result.Blocked, string.Join(", ", result.Matches.Select(m => $"{m.Id} {m.Message} {m.VariableName}={m.Value}")));
    }

    [Fact]
    public void Inspects_form_and_json_bodies()
    {
        Assert.True(Send("POST", "/login", body: "user=admin&pass=1' or '1'='1", contentType: "application/x-www-form-urlencoded").Blocked);
        Assert.True(Send("POST", "/api", body: """{"q":"<script>alert(1)</script>"}""", contentType: "application/json").Blocked);
        Assert.False(Send("POST", "/api", body: """{"name":"Jane Doe","qty":2}""", contentType: "application/json").Blocked);
    }
}
