using System.Text;
using Edgeplane.Plugins.Waf.SecLang;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.Tests.SecLang;

/// <summary>The SecLang engine on small rule sets written here: variables, operators, chains, skips, setvar, ctl, scoring.</summary>
public sealed class EngineTests
{
    private static SecLangResult Run(string rules, string uri, (string, string)[]? headers = null, string? body = null, string? contentType = null, string method = "GET")
    {
        var set = RuleSetLoader.LoadText(rules);
        var list = new List<KeyValuePair<string, string>> { new("Host", "a.example") };
        foreach (var (k, v) in headers ?? []) list.Add(new(k, v));
        if (contentType is not null) list.Add(new("Content-Type", contentType));
        // each request twice in one transaction: the second starts from what the setup rules left the first time (SetupPrefix)
        var transaction = new SecLangTransaction(set);
        SecLangResult Once()
        {
            transaction.Start(SecLangRequest.FromText("127.0.0.1", 1234, method, uri, "HTTP/1.1", list, body is null ? null : Encoding.UTF8.GetBytes(body)));
            var result = transaction.Evaluate();
            transaction.Clear();
            return result;
        }
        var first = Once();
        var again = Once();
        Assert.Equal((first.Interrupting, first.Status, first.AnomalyScore), (again.Interrupting, again.Status, again.AnomalyScore));
        Assert.Equal(first.Matches.Select(m => (m.Id, m.VariableName, m.Value)), again.Matches.Select(m => (m.Id, m.VariableName, m.Value)));
        return first;
    }

    private static bool Blocks(string rules, string uri, (string, string)[]? headers = null, string? body = null, string? contentType = null) =>
        Run(rules, uri, headers, body, contentType).Blocked;

    /// <summary>One GET through a reused <paramref name="transaction"/>, cleared for the next.</summary>
    private static SecLangResult Get(SecLangTransaction transaction, string uri)
    {
        transaction.Start(SecLangRequest.FromText("127.0.0.1", 1, "GET", uri, "HTTP/1.1", [], null));
        var result = transaction.Evaluate();
        transaction.Clear();
        return result;
    }

    [Theory]
    [InlineData("ARGS", "/?a=evil", true)]
    [InlineData("ARGS:a", "/?a=evil", true)]
    [InlineData("ARGS:b", "/?a=evil", false)]
    [InlineData("ARGS:/^x_/", "/?x_1=evil", true)]
    [InlineData("ARGS|!ARGS:a", "/?a=evil", false)]
    [InlineData("ARGS_NAMES", "/?evil=1", true)]
    [InlineData("ARGS_GET", "/?a=ev%69l", true)]
    [InlineData("REQUEST_FILENAME", "/evil/x?q=1", true)]
    [InlineData("REQUEST_BASENAME", "/x/evil.php", true)]
    [InlineData("REQUEST_BASENAME", "/evil/x.php", false)]
    [InlineData("QUERY_STRING", "/?evil", true)]
    [InlineData("REQUEST_URI", "/p?q=evil", true)]
    [InlineData("REQUEST_LINE", "/evil", true)]
    [InlineData("REQUEST_HEADERS:X-Test", "/", true)]
    [InlineData("REQUEST_HEADERS_NAMES", "/", false)]
    [InlineData("REQUEST_COOKIES:sid", "/", true)]
    [InlineData("REQUEST_COOKIES_NAMES", "/", false)]
    public void Variables_select_what_they_name(string variable, string uri, bool blocked) =>
        Assert.Equal(blocked, Blocks($"SecRule {variable} \"@contains evil\" \"id:1,phase:2,deny\"", uri, [("X-Test", "evil"), ("Cookie", "a=1; sid=evil")]));

    [Theory]
    [InlineData("SecRule TX:score \"@ge 5\" \"id:3,phase:1,deny\"", true)]
    [InlineData("SecRule TX:SCORE \"@gt 5\" \"id:3,phase:1,deny\"", false)]
    [InlineData("SecRule &TX:score \"@eq 1\" \"id:3,phase:1,deny\"", true)]
    [InlineData("SecRule &TX:missing \"@eq 0\" \"id:3,phase:1,deny\"", true)]
    [InlineData("SecRule TX:missing \"@eq 0\" \"id:3,phase:1,deny\"", false)]
    [InlineData("SecRule TX:score \"@eq 1\" \"id:3,phase:1,deny,t:length\"", true)]
    [InlineData("SecRule TX:score \"@ge 5\" \"id:3,phase:1,deny,chain\"\nSecRule MATCHED_VAR_NAME \"@streq TX:score\"", true)]
    [InlineData("SecAction \"id:4,phase:1,pass,nolog,ctl:ruleRemoveTargetById=3;TX:score\"\nSecRule TX:score \"@ge 5\" \"id:3,phase:1,deny\"", false)]
    public void One_member_targets_read_what_a_list_of_values_reads(string rules, bool blocked) =>
        Assert.Equal(blocked, Blocks("SecAction \"id:1,phase:1,pass,nolog,setvar:tx.score=5\"\n" + rules, "/"));

    [Theory]
    [InlineData("SecRule TX:score \"!@lt 5\" \"id:3,phase:1,deny\"", true)]
    [InlineData("SecRule TX:score \"!@ge 5\" \"id:3,phase:1,deny\"", false)]
    [InlineData("SecRule TX:score \"@le 4\" \"id:3,phase:1,deny\"", false)]
    [InlineData("SecRule TX:missing \"!@eq 1\" \"id:3,phase:1,deny\"", false)] // no member: nothing is tested, negated or not
    [InlineData("SecRule &TX:missing \"!@eq 1\" \"id:3,phase:1,deny\"", true)]
    [InlineData("SecRule &TX:score \"@gt 0\" \"id:3,phase:1,deny\"", true)]
    [InlineData("SecRule TX:score \"@lt 5\" \"id:3,phase:1,pass,skipAfter:END\"\nSecRule TX:score \"@eq 5\" \"id:4,phase:1,deny\"\nSecMarker END", true)]
    [InlineData("SecRule TX:score \"@le 5\" \"id:3,phase:1,pass,skipAfter:END\"\nSecRule TX:score \"@eq 5\" \"id:4,phase:1,deny\"\nSecMarker END", false)]
    [InlineData("SecRule TX:score \"@eq 5\" \"id:3,phase:1,pass,nolog\"\nSecRule TX:score \"@gt 5\" \"id:4,phase:1,pass,setvar:tx.score=9\"\nSecRule MATCHED_VAR \"@streq 5\" \"id:5,phase:1,deny\"", true)]
    [InlineData("SecRule TX:score \"@eq 5\" \"id:3,phase:1,pass,nolog,skipAfter:END\"\nSecRule TX:score \"@eq 5\" \"id:4,phase:1,deny\"\nSecMarker END\nSecRule MATCHED_VAR \"@streq 5\" \"id:5,phase:1,deny\"", true)]
    [InlineData("SecRule TX:score \"@eq 5\" \"id:3,phase:1,pass,nolog,skipAfter:END\"\nSecMarker END\nSecRule MATCHED_VAR_NAME \"@streq TX:score\" \"id:5,phase:1,deny\"", true)]
    [InlineData("SecRule &TX:score \"@eq 1\" \"id:3,phase:1,pass,nolog,skipAfter:END\"\nSecMarker END\nSecRule MATCHED_VAR_NAME \"@streq TX\" \"id:5,phase:1,deny\"", true)]
    [InlineData("SecAction \"id:2,phase:1,pass,nolog,ctl:ruleRemoveById=3\"\nSecRule TX:score \"@eq 5\" \"id:3,phase:1,pass,nolog,skipAfter:END\"\nSecRule TX:score \"@eq 5\" \"id:4,phase:1,deny\"\nSecMarker END", true)]
    [InlineData("SecRule REQUEST_HEADERS:X-B \"@rx ^$\" \"id:3,phase:1,pass,nolog\"\nSecRule REQUEST_HEADERS:X-B \"!@rx x\" \"id:4,phase:1,deny\"", false)] // an empty value set: nothing is tested
    [InlineData("SecRule REQUEST_HEADERS:X-A \"@rx ^$\" \"id:3,phase:1,pass,nolog\"\nSecRule REQUEST_HEADERS:X-A \"!@rx x\" \"id:4,phase:1,deny\"", true)]
    [InlineData("SecRule REQUEST_HEADERS:X-A \"@eq 5\" \"id:3,phase:1,deny\"", true)] // two members: each is tested
    [InlineData("SecRule REQUEST_HEADERS:X-A \"@gt 5\" \"id:3,phase:1,deny\"", false)]
    [InlineData("SecRule &REQUEST_HEADERS:X-A \"@eq 2\" \"id:3,phase:1,deny\"", true)]
    public void A_rule_comparing_one_member_with_a_number_decides_as_the_operator_does(string rules, bool blocked) =>
        Assert.Equal(blocked, Blocks("SecAction \"id:1,phase:1,pass,nolog,setvar:tx.score=5\"\n" + rules, "/", [("X-A", "1"), ("X-A", "5")]));

    // the CRS's exclusion packages: SecRule &TX:crs_exclusions_x|TX:crs_exclusions_x "@eq 0" "…,skipAfter:END-X"
    [Theory]
    [InlineData("&TX:missing|TX:missing \"@eq 0\"", "", false)] // no member: its count, 0, matches
    [InlineData("&TX:score|TX:score \"@eq 0\"", "", true)] // count 1, value 5
    [InlineData("&TX:off|TX:off \"@eq 0\"", "", false)] // count 1, value 0
    [InlineData("&TX:score|TX:score \"@eq 5\"", "", false)]
    [InlineData("&TX:score|TX:score \"@eq 1\"", "", false)]
    [InlineData("&TX:score|TX:score \"!@eq 0\"", "", false)]
    [InlineData("&TX:missing|TX:missing \"!@eq 0\"", "", true)]
    [InlineData("&TX:missing|TX:missing \"@eq 0\"", "SecRule MATCHED_VAR \"@streq 0\" \"id:5,phase:1,deny\"", true)]
    [InlineData("&TX:missing|TX:missing \"@eq 0\"", "SecRule MATCHED_VAR_NAME \"@streq TX\" \"id:5,phase:1,deny\"", true)]
    [InlineData("&TX:off|TX:off \"@eq 0\"", "SecRule MATCHED_VAR_NAME \"@streq TX:off\" \"id:5,phase:1,deny\"", true)]
    [InlineData("&TX:score|TX:score \"@eq 1\"", "SecRule MATCHED_VAR_NAME \"@streq TX\" \"id:5,phase:1,deny\"", true)]
    public void A_rule_comparing_a_count_and_its_member_with_a_number_decides_as_the_operator_does(string rule, string afterEnd, bool blocked) =>
        Assert.Equal(blocked, Blocks("SecAction \"id:1,phase:1,pass,nolog,setvar:tx.score=5,setvar:tx.off=0\"\n"
            + $"SecRule {rule} \"id:3,phase:1,pass,nolog,skipAfter:END\"\nSecRule TX:score \"@eq 5\" \"id:4,phase:1,deny\"\nSecMarker END\n{afterEnd}", "/"));

    [Theory]
    [InlineData("REQUEST_HEADERS:X-Missing \"!@rx x\"", false)] // no member: nothing is tested, negated or not
    [InlineData("REQUEST_HEADERS:X-Missing|REQUEST_HEADERS:X-Test \"!@rx x\"", true)]
    [InlineData("REQUEST_HEADERS:X-Missing|REQUEST_HEADERS:X-Other \"@rx ^$\"", false)]
    [InlineData("TX:missing \"@rx ^$\"", false)]
    [InlineData("TX:empty \"@rx ^$\"", true)]
    [InlineData("TX:missing|TX:empty \"@unconditionalMatch\"", true)]
    [InlineData("REQUEST_HEADERS:X-Missing \"@unconditionalMatch\"", false)]
    [InlineData("REQUEST_HEADERS:X-Test \"@unconditionalMatch\"", true)]
    public void A_rule_whose_named_members_are_all_missing_tests_nothing(string rule, bool blocked) =>
        Assert.Equal(blocked, Blocks($"SecAction \"id:1,phase:1,pass,nolog,setvar:tx.empty=\"\nSecRule {rule} \"id:3,phase:1,deny\"", "/", [("X-Test", "evil")]));

    [Theory]
    [InlineData("REQUEST_HEADERS:X-Test", "", true)] // read in phase 1, the same values in phase 2
    [InlineData("ARGS", "a=evil", true)] // read in phase 1 before the body, again in phase 2 with it
    [InlineData("ARGS_NAMES", "evil=1", true)]
    [InlineData("REQUEST_BODY", "evil", true)]
    public void Values_read_in_phase_1_are_read_again_in_phase_2_when_the_body_can_change_them(string target, string body, bool blocked) =>
        Assert.Equal(blocked, Blocks($"SecRule {target} \"@rx ^$\" \"id:2,phase:1,pass,nolog\"\nSecRule {target} \"@contains evil\" \"id:3,phase:2,deny\"",
            "/", [("X-Test", "evil")], body, "application/x-www-form-urlencoded"));

    [Theory]
    [InlineData("UNION SELECT", "@rx union select", true)]
    [InlineData("UNION SELECT", "@rx UNION SELECT", false)]
    [InlineData("union select", "@rx UNION SELECT", false)]
    [InlineData("UNION SELECTED", "@pm select", true)]
    [InlineData("UNION SELEC", "@pm select", false)]
    public void A_long_value_lowercased_is_prefiltered_as_its_original_and_tested_as_itself(string attack, string op, bool blocked)
    {
        var rules = "SecRule ARGS \"@rx zzz\" \"id:1,phase:2,pass,nolog\"\n" + $"SecRule ARGS \"{op}\" \"id:2,phase:2,deny,t:lowercase\"";
        var value = Uri.EscapeDataString(new string('x', 80) + " " + attack + " " + new string('y', 80));
        Assert.Equal(blocked, Blocks(rules, "/?q=" + value));
        Assert.False(Blocks(rules, "/?q=" + Uri.EscapeDataString(new string('x', 200))));
    }

    [Fact]
    public void Counting_and_matched_vars()
    {
        Assert.True(Blocks("SecRule &ARGS \"@eq 3\" \"id:1,phase:1,deny\"", "/?a=1&b=2&c=3"));
        Assert.False(Blocks("SecRule &REQUEST_HEADERS:X-Missing \"!@eq 0\" \"id:1,phase:1,deny\"", "/"));
        var chain = "SecRule ARGS \"@rx ^a\" \"id:1,phase:2,deny,chain\"\nSecRule MATCHED_VARS \"@rx z$\"";
        Assert.True(Blocks(chain, "/?x=abz"));
        Assert.False(Blocks(chain, "/?x=abc&y=xyz"));
    }

    [Theory]
    [InlineData("@rx ^se.ret$", "secret", true)]
    [InlineData("!@rx ^se.ret$", "secret", false)]
    [InlineData("@rx (?i)SECRET", "secret", true)]
    [InlineData("@rx \\x{41}\\d[[:alpha:]]", "A1b", true)]
    [InlineData("@rx (?<=a)b", "ab", true)]
    [InlineData("@pm foo bar", "xxBARxx", true)]
    [InlineData("@pm foo bar", "baz", false)]
    [InlineData("@pm /etc/passwd /etc/shadow", "cat /ETC/PASSWD", true)]
    [InlineData("@pm /etc/passwd /etc/shadow", "cat /etc/pa", false)]
    [InlineData("@rx /etc/passwd\\b", "cat /etc/passwords", false)]
    [InlineData("@rx /etc/passwd\\b", "cat /etc/passwd", true)]
    [InlineData("@streq secret", "secret", true)]
    [InlineData("@streq secret", "secrets", false)]
    [InlineData("@beginsWith sec", "secret", true)]
    [InlineData("@endsWith ret", "secret", true)]
    [InlineData("@contains cre", "secret", true)]
    [InlineData("@containsWord cre", "secret", false)]
    [InlineData("@within GET POST secret", "secret", true)]
    [InlineData("@within GET POST", "secret", false)]
    [InlineData("@eq 5", "5", true)]
    [InlineData("@gt 5", "6", true)]
    [InlineData("@ge 5", "4", false)]
    [InlineData("@lt 5", "4", true)]
    [InlineData("@le 5", "abc", true)]
    [InlineData("@validateByteRange 97-122", "secret", false)]
    [InlineData("@validateByteRange 97-122", "secret1", true)]
    [InlineData("@validateUrlEncoding", "a%2", true)]
    [InlineData("@validateUrlEncoding", "a%41", false)]
    [InlineData("@ipMatch 10.0.0.0/8,192.168.1.1", "10.2.3.4", true)]
    [InlineData("@ipMatch 10.0.0.0/8,192.168.1.1", "11.2.3.4", false)]
    [InlineData("@unconditionalMatch", "x", true)]
    [InlineData("@detectSQLi", "1' OR '1'='1", true)]
    [InlineData("@detectSQLi", "hello world", false)]
    [InlineData("@detectXSS", "<script>alert(1)</script>", true)]
    [InlineData("@detectXSS", "hello world", false)]
    public void Operators(string op, string value, bool matched) =>
        Assert.Equal(matched, Blocks($"SecRule REQUEST_HEADERS:X-V \"{op}\" \"id:1,phase:1,deny\"", "/", [("X-V", value)]));

    [Fact]
    public void Utf8_validation_sees_the_bytes() =>
        Assert.Equal([false, true], new[] { "/?a=%C3%A9", "/?a=%C3%28" }.Select(uri => Blocks("SecRule ARGS \"@validateUtf8Encoding\" \"id:1,phase:2,deny\"", uri)));

    [Theory]
    [InlineData("t:lowercase", "SeLeCt", "select")]
    [InlineData("t:urlDecodeUni", "%u0053%uff45lect%2b", "Select+")]
    [InlineData("t:urlDecode", "a+b%20c", "a b c")]
    [InlineData("t:htmlEntityDecode", "&lt;a&#x62;&#99&quot;", "<abc\"")]
    [InlineData("t:jsDecode", "\\x61\\u0062\\143\\x21", "abc!")]
    [InlineData("t:cssDecode", "\\61 \\62 c", "abc")]
    [InlineData("t:cmdLine", "W\"h\"o^AmI ; ls  /tmp", "whoami ls/tmp")]
    [InlineData("t:compressWhitespace", "a \t\n b", "a b")]
    [InlineData("t:removeWhitespace", "a \t b", "ab")]
    [InlineData("t:replaceComments", "a/*x*/b/*", "a b ")]
    [InlineData("t:normalisePath", "/a/./b/../c//d", "/a/c/d")]
    [InlineData("t:normalisePathWin", "\\a\\..\\b", "/b")]
    [InlineData("t:base64Decode", "c2VsZWN0", "select")]
    [InlineData("t:hexDecode", "73656c656374", "select")]
    [InlineData("t:sqlHexDecode", "x 0x414243", "x ABC")]
    [InlineData("t:utf8toUnicode", "é", "%u00e9")]
    [InlineData("t:length", "abcd", "4")]
    [InlineData("t:trim", "  ab  ", "ab")]
    [InlineData("t:lowercase,t:none,t:uppercase", "aB", "AB")]
    public void Transformations(string actions, string value, string expected) =>
        Assert.True(Blocks($"SecRule REQUEST_HEADERS:X-V \"@streq {expected.Replace("\"", "\\\"")}\" \"id:1,phase:1,deny,{actions}\"", "/", [("X-V", value)]), $"{actions}({value}) != {expected}");

    [Fact]
    public void Chains_with_a_common_start_each_transform_a_long_value_their_own_way()
    {
        var value = string.Join(' ', Enumerable.Repeat("Say \"Hi\";", 10)) + " now"; // longer than the values whose steps are memoized
        string Quoted(string s) => s.Replace("\"", "\\\"");
        var rules = $"SecRule ARGS:a \"@streq {Quoted(value.ToLowerInvariant())}\" \"id:1,phase:2,pass,t:urlDecodeUni,t:lowercase,setvar:tx.a=1\"\n" +
            $"SecRule ARGS:a \"@streq {string.Join(' ', Enumerable.Repeat("say hi", 10))} now\" \"id:2,phase:2,pass,t:urlDecodeUni,t:cmdLine,setvar:tx.b=1\"\n" +
            $"SecRule ARGS:a \"@streq {Quoted(value)}\" \"id:3,phase:2,pass,t:urlDecodeUni,t:compressWhitespace,setvar:tx.c=1\"\n" +
            "SecRule TX:a \"@eq 1\" \"id:4,phase:2,deny,chain\"\nSecRule TX:b \"@eq 1\" \"chain\"\nSecRule TX:c \"@eq 1\"";
        Assert.True(Blocks(rules, "/?a=" + Uri.EscapeDataString(value)));
    }

    [Fact]
    public void Lowercase_changes_ascii_only_and_remove_nulls_drops_nul_bytes()
    {
        Assert.True(Blocks("SecRule ARGS \"@streq ab\" \"id:1,phase:2,deny,t:removeNulls,t:lowercase\"", "/?x=A%00B"));
        Assert.True(Blocks("SecRule ARGS \"@rx ^ab\\xc9$\" \"id:1,phase:2,deny,t:removeNulls,t:lowercase\"", "/?x=A%00B%C9"));
    }

    [Fact]
    public void Setvar_macros_and_anomaly_scoring()
    {
        const string rules = """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.threshold=5,setvar:tx.score=0"
            SecRule ARGS "@rx attack" "id:2,phase:2,pass,setvar:'tx.score=+%{tx.points}',setvar:tx.last=%{MATCHED_VAR_NAME}"
            SecAction "id:3,phase:1,pass,nolog,setvar:tx.points=3"
            SecRule TX:score "@ge %{tx.threshold}" "id:4,phase:2,deny,msg:'score %{tx.score} from %{tx.last}'"
            """;
        Assert.False(Blocks(rules, "/?a=attack"));
        var result = Run(rules, "/?a=attack&b=attack");
        Assert.True(result.Blocked);
        Assert.Equal("score 6 from ARGS:b", result.Matches.Single(m => m.Id == 4).Message);
    }

    [Fact]
    public void A_variable_written_under_a_name_made_by_macros_is_the_one_rules_name_statically()
    {
        const string rules = """
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.which=Flag"
            SecAction "id:2,phase:1,pass,nolog,setvar:'tx.%{tx.which}=%{REQUEST_METHOD}'"
            SecRule TX:flag "@streq GET" "id:3,phase:1,pass,setvar:tx.seen=1"
            SecRule &TX:FLAG "@eq 1" "id:4,phase:1,deny,chain,msg:'flag %{tx.flag}'"
            SecRule TX:seen "@eq 1"
            """;
        var result = Run(rules, "/");
        Assert.True(result.Blocked);
        Assert.Equal("flag GET", result.Matches.Single(m => m.Id == 4).Message);
    }

    [Fact]
    public void Capture_fills_tx_numbers_for_later_rules()
    {
        const string rules = """
            SecRule REQUEST_BASENAME "@rx \.([^.]+)$" "id:1,phase:1,pass,capture,setvar:tx.ext=.%{tx.1}/"
            SecRule TX:ext "@within .exe/ .bat/" "id:2,phase:1,deny"
            """;
        Assert.True(Blocks(rules, "/files/x.exe"));
        Assert.False(Blocks(rules, "/files/x.txt"));
    }

    [Fact]
    public void Chains_need_every_link()
    {
        const string rules = """
            SecRule REQUEST_METHOD "@streq GET" "id:1,phase:1,deny,chain"
                SecRule REQUEST_HEADERS:X-A "@streq 1" "chain"
                SecRule REQUEST_HEADERS:X-B "@streq 2"
            """;
        Assert.True(Blocks(rules, "/", [("X-A", "1"), ("X-B", "2")]));
        Assert.False(Blocks(rules, "/", [("X-A", "1"), ("X-B", "3")]));
    }

    [Fact]
    public void Skip_after_marker_and_skip()
    {
        const string rules = """
            SecRule ARGS:skip "@streq 1" "id:1,phase:2,pass,nolog,skipAfter:END"
            SecRule ARGS "@contains evil" "id:2,phase:2,deny"
            SecMarker END
            SecRule ARGS:skip "@streq 2" "id:3,phase:2,pass,nolog,skip:1"
            SecRule ARGS "@contains bad" "id:4,phase:2,deny"
            """;
        Assert.True(Blocks(rules, "/?a=evil"));
        Assert.False(Blocks(rules, "/?a=evil&skip=1"));
        Assert.True(Blocks(rules, "/?a=bad"));
        Assert.False(Blocks(rules, "/?a=bad&skip=2"));
    }

    [Fact]
    public void Ctl_removes_rules_and_targets_for_this_request_only()
    {
        const string rules = """
            SecRule REQUEST_FILENAME "@streq /admin" "id:1,phase:1,pass,nolog,ctl:ruleRemoveTargetById=10;ARGS:html"
            SecRule REQUEST_FILENAME "@streq /off" "id:2,phase:1,pass,nolog,ctl:ruleRemoveById=10"
            SecRule REQUEST_FILENAME "@streq /tagged" "id:3,phase:1,pass,nolog,ctl:ruleRemoveByTag=attack-xss"
            SecRule ARGS "@contains <script" "id:10,phase:2,deny,tag:'attack-xss'"
            """;
        Assert.True(Blocks(rules, "/page?html=<script"));
        Assert.False(Blocks(rules, "/admin?html=<script"));
        Assert.True(Blocks(rules, "/admin?other=<script"));
        Assert.False(Blocks(rules, "/off?html=<script"));
        Assert.False(Blocks(rules, "/tagged?html=<script"));
    }

    [Fact]
    public void Load_time_removal_and_target_updates()
    {
        const string rules = """
            SecRule ARGS "@contains evil" "id:10,phase:2,deny,tag:'t1'"
            SecRule ARGS "@contains bad" "id:11,phase:2,deny,tag:'t2'"
            SecRule ARGS "@contains worse" "id:12,phase:2,deny"
            SecRuleRemoveById 10
            SecRuleRemoveByTag t2
            SecRuleUpdateTargetById 12 "!ARGS:comment"
            """;
        Assert.False(Blocks(rules, "/?a=evil"));
        Assert.False(Blocks(rules, "/?a=bad"));
        Assert.True(Blocks(rules, "/?a=worse"));
        Assert.False(Blocks(rules, "/?comment=worse"));
    }

    [Fact]
    public void Default_action_decides_what_block_does_and_allow_stops()
    {
        const string rules = """
            SecDefaultAction "phase:2,log,pass"
            SecRule ARGS "@contains x" "id:1,phase:2,block"
            SecRule ARGS:ok "@streq 1" "id:2,phase:2,allow"
            SecRule ARGS "@contains y" "id:3,phase:2,deny,status:406"
            """;
        var logged = Run(rules, "/?a=x");
        Assert.False(logged.Blocked);
        Assert.Contains(logged.Matches, m => m.Id == 1);
        Assert.False(Blocks(rules, "/?a=y&ok=1"));
        var denied = Run(rules, "/?a=y");
        Assert.Equal(406, denied.Status);
        Assert.False(Blocks("SecRuleEngine DetectionOnly\nSecRule ARGS \"@contains y\" \"id:3,phase:2,deny\"", "/?a=y"));
    }

    [Fact]
    public void Body_processors_fill_args_files_and_xml()
    {
        const string args = "SecRule ARGS_POST \"@contains evil\" \"id:1,phase:2,deny\"";
        Assert.True(Blocks(args, "/", body: "a=ev%69l", contentType: "application/x-www-form-urlencoded"));
        Assert.True(Blocks(args, "/", body: """{"a":{"b":["ok","evil"]}}""", contentType: "application/json"));
        Assert.True(Blocks("SecRule ARGS_POST_NAMES \"@streq json.a.b.1\" \"id:1,phase:2,deny\"", "/", body: """{"a":{"b":["ok","x"]}}""", contentType: "application/json"));
        const string multipart = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nevil\r\n--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"shell.php\"\r\nContent-Type: text/plain\r\n\r\n<?php\r\n--XyZ--\r\n";
        Assert.True(Blocks(args, "/", body: multipart, contentType: "multipart/form-data; boundary=XyZ"));
        Assert.True(Blocks("SecRule FILES \"@endsWith .php\" \"id:1,phase:2,deny\"", "/", body: multipart, contentType: "multipart/form-data; boundary=XyZ"));
        Assert.False(Blocks("SecRule MULTIPART_STRICT_ERROR \"!@eq 0\" \"id:1,phase:2,deny\"", "/", body: multipart, contentType: "multipart/form-data; boundary=XyZ"));
        Assert.True(Blocks("SecRule MULTIPART_STRICT_ERROR \"!@eq 0\" \"id:1,phase:2,deny\"", "/", body: multipart[..^8], contentType: "multipart/form-data; boundary=XyZ"));
        Assert.True(Blocks("SecRule XML:/* \"@contains evil\" \"id:1,phase:2,deny\"", "/", body: "<a><b>evil</b></a>", contentType: "text/xml"));
        Assert.True(Blocks("SecRule REQBODY_ERROR \"!@eq 0\" \"id:1,phase:2,deny\"", "/", body: "{broken", contentType: "application/json"));
    }

    [Theory]
    [InlineData("SecRule ARGS \"@nope x\" \"id:1\"", "unknown operator")]
    [InlineData("SecRule ARGS \"@rx x\" \"id:1,t:nope\"", "unknown transformation")]
    [InlineData("SecRule NOPE \"@rx x\" \"id:1\"", "unknown variable")]
    [InlineData("SecRule ARGS \"@rx x\" \"phase:2\"", "no id")]
    [InlineData("SecRule ARGS \"@rx x\" \"id:1,chain\"", "no rule follows")]
    [InlineData("SecNope On", "unknown directive")]
    [InlineData("SecRule ARGS \"@rx (\" \"id:1\"", "does not compile")]
    public void Bad_rules_fail_the_load_naming_the_line(string text, string message)
    {
        var e = Assert.Throws<SecLangException>(() => RuleSetLoader.LoadText(text, "t.conf"));
        Assert.Contains("t.conf:1", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Continuations_quotes_and_includes()
    {
        var dir = Directory.CreateTempSubdirectory("seclang-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "words.data"), "# comment\nfoo\nbar\n");
            File.WriteAllText(Path.Combine(dir.FullName, "b.conf"), "SecRule ARGS \"@pmFromFile words.data\" \\\n    \"id:2,\\\n    phase:2,\\\n    deny,msg:'a, \\'quoted\\' msg'\"\n");
            File.WriteAllText(Path.Combine(dir.FullName, "main.conf"), "Include b.conf\nSecRule ARGS \"@rx \\\"q\" \"id:3,phase:2,deny\"\n");
            var set = RuleSetLoader.LoadFiles([Path.Combine(dir.FullName, "main.conf")]);
            Assert.Equal("a, 'quoted' msg", set.ById[2].Actions.Msg);
            Assert.True(new SecLangTransaction(set, SecLangRequest.FromText("127.0.0.1", 1, "GET", "/?a=xBARx", "HTTP/1.1", [], null)).Evaluate().Blocked);
            Assert.True(new SecLangTransaction(set, SecLangRequest.FromText("127.0.0.1", 1, "GET", "/?a=%22q", "HTTP/1.1", [], null)).Evaluate().Blocked);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Linear_time_patterns_run_without_backtracking()
    {
        var set = RuleSetLoader.LoadText("SecRule ARGS \"@rx (a+)+$\" \"id:1,phase:2,deny\"\nSecRule ARGS \"@rx (?<=x)y\" \"id:2,phase:2,deny\"");
        Assert.False(set.ById[1].Backtracking);
        Assert.True(set.ById[2].Backtracking);
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(new SecLangTransaction(set, SecLangRequest.FromText("127.0.0.1", 1, "GET", "/?a=" + new string('a', 20000) + "!", "HTTP/1.1", [], null)).Evaluate().Blocked);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void MultiMatch_tests_the_value_before_and_after_each_transformation_that_changes_it()
    {
        const string rule = "SecRule ARGS \"@rx evil\" \"id:1,phase:2,deny,t:none,t:urlDecodeUni,t:base64Decode,multiMatch\"";
        Assert.True(Blocks(rule, "/?a=evil"));
        Assert.True(Blocks(rule, "/?a=ZXZpbA=="));
        Assert.False(Blocks(rule.Replace(",multiMatch", ""), "/?a=evil"));
        // as in ModSecurity v3, the actions run at each form that matches: "EVIL evil" and "evil evil"
        const string scoring = "SecRule ARGS \"@rx evil\" \"id:1,phase:2,pass,t:lowercase,multiMatch,setvar:tx.score=+1\"\n" +
            "SecRule TX:score \"@eq 2\" \"id:2,phase:2,deny\"";
        Assert.True(Blocks(scoring, "/?a=EVIL+evil"));
        Assert.False(Blocks(scoring, "/?a=evil"));
    }

    [Theory]
    [InlineData("@rx (?i)union\\s+select", "/?q=1+UnIoN+SeLeCt+2", true)]
    [InlineData("@rx (?:;|\\||`)\\s*cat\\b", "/?q=x%7C+cat", true)]
    [InlineData("@rx (?:;|\\||`)\\s*cat\\b", "/?q=concatenate", false)]
    [InlineData("!@rx ^(?:get|head)$", "/?q=GET", true)]
    [InlineData("!@rx ^(?:get|head)$", "/?q=get", false)]
    public void The_literal_prefilter_never_hides_a_match(string op, string uri, bool blocked) =>
        Assert.Equal(blocked, Blocks($"SecRule ARGS \"{op}\" \"id:1,phase:2,deny\"", uri));

    [Fact]
    public void Rules_reading_the_same_value_each_find_their_own_literals()
    {
        var words = Enumerable.Range(0, 40).Select(i => $"word{i:00}x").ToArray();
        var rules = $"SecRule ARGS \"@rx (?i)(?:{string.Join('|', words)})\" \"id:1,phase:2,pass,setvar:tx.a=1\"\n" +
            "SecRule ARGS \"@rx needle\" \"id:2,phase:2,pass,setvar:tx.b=1\"\n" +
            "SecRule TX:a \"@eq 1\" \"id:3,phase:2,deny,chain\"\nSecRule TX:b \"@eq 1\"";
        Assert.True(Blocks(rules, "/?p=a+WORD39X+and+a+needle"));
        Assert.False(Blocks(rules, "/?p=a+word39x+and+a+NEEDLE")); // the search ignores case, the regex does not
        Assert.False(Blocks(rules, "/?p=a+word40x+and+a+needle"));
        Assert.False(Blocks(rules, "/?p=a+word39x+only"));
    }

    [Theory]
    // rule 1 collects the ARGS values (shared with rule 2, the same targets and transformations) and matches;
    // rule 2 is then passed over by its prefilter in the rule loop, and must leave everything as it was
    [InlineData("SecRule ARGS \"@rx other\" \"id:2,phase:2,pass,setvar:tx.x=1\"", "/?p=needle", "SecRule MATCHED_VAR \"@streq needle\" \"id:3,phase:2,deny\"", true)]
    [InlineData("SecRule ARGS \"@rx other\" \"id:2,phase:2,pass,setvar:tx.x=1\"", "/?p=needle", "SecRule &TX:x \"@eq 0\" \"id:3,phase:2,deny\"", true)]
    [InlineData("SecRule ARGS \"@rx other\" \"id:2,phase:2,pass,setvar:tx.x=1\"", "/?p=needle&q=other", "SecRule &TX:x \"@eq 0\" \"id:3,phase:2,deny\"", false)]
    [InlineData("SecRule ARGS \"!@rx other\" \"id:2,phase:2,pass,setvar:tx.x=1\"", "/?p=needle", "SecRule &TX:x \"@eq 1\" \"id:3,phase:2,deny\"", true)]
    [InlineData("SecRule ARGS \"@rx other\" \"id:2,phase:2,pass,skipAfter:END\"", "/?p=needle", "SecRule ARGS \"@rx needle\" \"id:3,phase:2,deny\"\nSecMarker END", true)]
    [InlineData("SecRule ARGS \"@rx other\" \"id:2,phase:2,pass,skipAfter:END\"", "/?p=needle&q=other", "SecRule ARGS \"@rx needle\" \"id:3,phase:2,deny\"\nSecMarker END", false)]
    [InlineData("SecAction \"id:4,phase:2,pass,ctl:ruleRemoveTargetById=2;ARGS:p\"\nSecRule ARGS \"@rx needle\" \"id:2,phase:2,deny\"", "/?p=needle&q=needle", "", true)]
    [InlineData("SecAction \"id:4,phase:2,pass,ctl:ruleRemoveTargetById=2;ARGS:p\"\nSecRule ARGS \"@rx needle\" \"id:2,phase:2,deny\"", "/?p=needle&q=x", "", false)]
    public void A_rule_its_prefilter_passes_over_in_the_loop_changes_nothing(string second, string uri, string third, bool blocked) =>
        Assert.Equal(blocked, Blocks("SecRule ARGS \"@rx needle\" \"id:1,phase:2,pass,nolog\"\n" + second + "\n" + third, uri));

    [Fact]
    public void Setup_rules_that_read_only_tx_leave_the_same_tx_in_every_request()
    {
        var set = RuleSetLoader.LoadText("""
            SecAction "id:1,phase:1,pass,nolog,setvar:tx.paranoia_level=2"
            SecRule &TX:threshold "@eq 0" "id:2,phase:1,pass,nolog,setvar:tx.threshold=5"
            SecRule TX:paranoia_level "@lt 2" "id:3,phase:1,pass,nolog,skipAfter:END"
            SecAction "id:4,phase:1,pass,nolog,setvar:tx.score_pl2=%{tx.threshold}"
            SecMarker END
            SecRule ARGS:a "@streq 1" "id:5,phase:1,pass,nolog,setvar:tx.score=+%{tx.score_pl2}"
            SecRule ARGS:b "@streq 1" "id:6,phase:1,pass,nolog,setvar:!tx.threshold"
            SecRule TX:score "@ge %{tx.threshold}" "id:7,phase:2,deny"
            SecRule &TX:threshold "@eq 0" "id:8,phase:2,deny,status:418"
            """);
        Assert.Equal(5, SetupPrefix.Length(set.Phases[1]));
        var transaction = new SecLangTransaction(set);
        SecLangResult Send(string uri) => Get(transaction, uri);
        Assert.False(Send("/").Blocked);
        Assert.True(Send("/?a=1").Blocked);
        Assert.Equal(418, Send("/?b=1").Status);
        Assert.False(Send("/").Blocked);
        Assert.Equal(403, Send("/?a=1").Status);
    }

    [Theory]
    [InlineData("SecRule &TX:x \"@eq 0\" \"id:2,phase:1,pass,log,setvar:tx.x=1\"", 2)] // logs: every request runs it
    [InlineData("SecRule REQUEST_URI \"@contains /\" \"id:2,phase:1,pass,nolog,setvar:tx.x=1\"", 1)] // reads the request
    [InlineData("SecAction \"id:2,phase:1,pass,nolog,setvar:tx.x=%{REMOTE_ADDR}\"", 1)]
    [InlineData("SecAction \"id:2,phase:1,pass,nolog,setvar:ip.x=1\"", 1)]
    [InlineData("SecAction \"id:2,phase:1,pass,nolog,ctl:ruleRemoveById=9\"", 1)]
    public void Setup_rules_end_at_the_first_rule_that_reads_or_writes_more_than_tx(string rule, int length)
    {
        var set = RuleSetLoader.LoadText("SecAction \"id:1,phase:1,pass,nolog,setvar:tx.y=1\"\n" + rule + "\nSecRule ARGS \"@contains evil\" \"id:9,phase:2,deny\"");
        Assert.Equal(length, SetupPrefix.Length(set.Phases[1]));
        var transaction = new SecLangTransaction(set);
        for (var i = 0; i < 2; i++)
        {
            var result = Get(transaction, "/");
            Assert.Equal(length == 2 ? [2] : Array.Empty<int>(), result.Matches.Select(m => m.Id).ToArray());
        }
    }

    [Fact]
    public void A_reused_transaction_forgets_the_previous_request()
    {
        var set = RuleSetLoader.LoadText("""
            SecRule ARGS:remove "@streq 1" "id:1,phase:1,pass,nolog,ctl:ruleRemoveById=3"
            SecRule ARGS:score "@streq 1" "id:2,phase:1,pass,nolog,setvar:tx.score=+5"
            SecRule ARGS "@contains evil" "id:3,phase:2,deny"
            SecRule TX:score "@ge 5" "id:4,phase:2,deny"
            """);
        var transaction = new SecLangTransaction(set);
        SecLangResult Send(string uri) => Get(transaction, uri);
        var scored = Send("/?score=1");
        Assert.True(scored.Blocked);
        Assert.False(Send("/?a=1").Blocked);
        Assert.False(Send("/?remove=1&a=evil").Blocked);
        Assert.True(Send("/?a=evil").Blocked);
        Assert.Equal(4, Assert.Single(scored.Matches).Id);
    }

    [Fact]
    public void A_regex_expands_its_macros_when_it_runs()
    {
        // CRS 920480: SecRule TX:1 "!@rx ^%{tx.allowed_request_content_type_charset}$"
        const string rules = "SecAction \"id:1,phase:1,pass,setvar:'tx.allowed=utf-8|iso-8859-1'\"\n" +
            "SecRule ARGS:cs \"!@rx ^%{tx.allowed}$\" \"id:2,phase:2,deny\"";
        Assert.False(Blocks(rules, "/?cs=utf-8"));
        Assert.False(Blocks(rules, "/?cs=iso-8859-1"));
        Assert.True(Blocks(rules, "/?cs=utf-7"));
    }
}
