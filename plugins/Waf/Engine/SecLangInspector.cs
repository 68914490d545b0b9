using System.Globalization;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.SecLang;
using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>What the SecLang rules found in one request, in the terms of the WAF's verdicts.</summary>
public sealed record SecLangFinding(WafRule? Interrupting, string? Reason, string? AttackType, IReadOnlyList<RuleMatcher.RuleMatch> Matches);

/// <summary>
/// The seam between the WAF's inspection and the SecLang engine: the configured rule files loaded once, each
/// request run through a <see cref="SecLangTransaction"/>, and what matched turned into rule matches (ids
/// <c>crs-&lt;id&gt;</c>, counted and raised as events like the operator's rules).
/// </summary>
public sealed class SecLangInspector
{
    private readonly Dictionary<int, WafRule> _rules;
    /// <summary>This thread's transaction, reused from request to request (its collections and caches keep their storage).</summary>
    [ThreadStatic] private static SecLangTransaction? t_transaction;

    private SecLangInspector(SecLangRuleSet set, ISecLangSettings settings)
    {
        RuleSet = set;
        Settings = settings;
        _rules = set.Rules.Where(r => !r.IsMarker).ToDictionary(r => r.Id, ToWafRule);
    }

    public SecLangRuleSet RuleSet { get; }
    public ISecLangSettings Settings { get; }
    public IEnumerable<WafRule> Rules => _rules.Values;
    public IEnumerable<int> BacktrackingRules => RuleSet.Rules.Where(r => !r.IsMarker && r.Backtracking).Select(r => r.Id);

    /// <summary>Null when no rule file is configured. Throws <see cref="SecLangException"/> naming the file and line of a rule that cannot load.</summary>
    public static SecLangInspector? Load(ISecLangSettings settings)
    {
        var files = new List<string>();
        if (settings.CoreRuleSet) files.AddRange(CoreRuleSetFiles.Debian);
        files.AddRange(settings.RuleFiles);
        if (files.Count == 0) return null;
        var set = RuleSetLoader.LoadFiles(files, Prelude(settings), afterFile: f => Path.GetFileName(f).StartsWith("crs-setup", StringComparison.OrdinalIgnoreCase));
        return new SecLangInspector(set, settings);
    }

    /// <summary>The settings as the CRS reads them (TX variables set in phase 1 before its initialization), after crs-setup.conf so they win.</summary>
    private static string Prelude(ISecLangSettings s) => string.Create(CultureInfo.InvariantCulture,
        $"SecAction \"id:8990001,phase:1,pass,nolog,t:none,setvar:tx.paranoia_level={s.ParanoiaLevel},setvar:tx.inbound_anomaly_score_threshold={s.InboundAnomalyThreshold},setvar:tx.outbound_anomaly_score_threshold={s.OutboundAnomalyThreshold}\"");

    public SecLangFinding Inspect(InspectionRequest request)
    {
        var uri = request.RawQuery.Length > 0 ? request.RawPath + "?" + request.RawQuery : request.RawPath;
        var body = request.Body is null ? null : System.Text.Encoding.UTF8.GetBytes(request.Body);
        var transaction = t_transaction is { } reused && reused.RuleSet == RuleSet ? reused : t_transaction = new SecLangTransaction(RuleSet);
        SecLangResult result;
        try
        {
            transaction.Start(SecLangRequest.FromText(request.ClientAddress?.ToString() ?? "", 0, request.Method, uri,
                request.Protocol ?? "HTTP/1.1", request.Headers, body));
            result = transaction.Evaluate();
        }
        finally
        {
            transaction.Clear();
        }
        if (result.Matches.Count == 0) return new SecLangFinding(null, null, null, []);
        var matches = result.Matches.Select(m => new RuleMatcher.RuleMatch(_rules[m.Id], Part(m.VariableName))).ToArray();
        if (result.Interrupting is not { } rule) return new SecLangFinding(null, null, null, matches);
        var contributing = result.Matches.Where(m => m.Id != rule.Id).ToList();
        var attack = contributing.SelectMany(m => m.Tags).Concat(rule.Actions.Tags)
            .FirstOrDefault(t => t.StartsWith("attack-", StringComparison.OrdinalIgnoreCase));
        var found = string.Join("; ", contributing.Take(5).Select(m => $"{m.Id} {m.Message} in {m.VariableName}"));
        var message = result.Matches.FirstOrDefault(m => m.Id == rule.Id)?.Message ?? rule.Actions.Msg;
        return new SecLangFinding(_rules[rule.Id], $"rule {rule.Id}: {message}" + (found.Length > 0 ? $" ({found})" : ""),
            attack is null ? "crs" : attack["attack-".Length..], matches);
    }

    private static WafRule ToWafRule(SecLangRule rule) => new(
        RuleIds.Crs + rule.Id.ToString(CultureInfo.InvariantCulture),
        string.Join(" chain ", rule.Chain().Select(r => $"{string.Join('|', r.Targets)} {(r.Negated ? "!" : "")}{r.Operator}")),
        rule.Disruptive is Disruptive.Deny or Disruptive.Drop or Disruptive.Redirect ? RuleAction.Block : rule.Disruptive == Disruptive.Allow ? RuleAction.Allow : RuleAction.Log,
        rule.Actions.Severity?.ToUpperInvariant() switch
        {
            "EMERGENCY" or "ALERT" or "CRITICAL" => "critical",
            "ERROR" => "high",
            "WARNING" => "medium",
            _ => "low",
        },
        Targets(rule),
        rule.Actions.Tags);

    private static RuleTarget Targets(SecLangRule rule)
    {
        var targets = rule.Chain().SelectMany(r => r.Targets).Where(t => !t.Exclude).Aggregate(RuleTarget.None, (acc, t) => acc | Part(t.Collection));
        return targets == RuleTarget.None ? RuleTarget.All : targets;
    }

    private static RuleTarget Part(string variable)
    {
        var name = variable.Split(':')[0];
        return name switch
        {
            "ARGS_GET" or "ARGS_GET_NAMES" or "QUERY_STRING" or "ARGS" or "ARGS_NAMES" => RuleTarget.Query,
            "REQUEST_HEADERS" or "REQUEST_HEADERS_NAMES" or "REQUEST_COOKIES" or "REQUEST_COOKIES_NAMES" => RuleTarget.Headers,
            "ARGS_POST" or "ARGS_POST_NAMES" or "REQUEST_BODY" or "FILES" or "FILES_NAMES" or "XML" or "MULTIPART_PART_HEADERS" => RuleTarget.Body,
            "REQUEST_FILENAME" or "REQUEST_BASENAME" or "REQUEST_URI" or "REQUEST_URI_RAW" or "REQUEST_LINE" => RuleTarget.Path,
            _ => RuleTarget.None,
        };
    }
}
