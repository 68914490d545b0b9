using System.Collections.Concurrent;
using System.Globalization;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.SecLang;
using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// What the SecLang rules found in one request (or its response), in the terms of the WAF's verdicts; <see cref="Response"/>:
/// the request's transaction, kept to check the upstream's response when it passed and responses are inspected.
/// </summary>
public sealed record SecLangFinding(WafRule? Interrupting, string? Reason, string? AttackType, IReadOnlyList<RuleMatcher.RuleMatch> Matches, SecLangResponseCheck? Response = null)
{
    public static SecLangFinding None { get; } = new(null, null, null, []);
}

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
    /// <summary>Transactions kept across a request's forwarding for its response (a thread's own cannot wait for it), reused.</summary>
    private readonly ConcurrentBag<SecLangTransaction> _kept = [];
    private readonly bool _hasResponseRules;

    private SecLangInspector(SecLangRuleSet set, ISecLangSettings settings)
    {
        RuleSet = set;
        Settings = settings;
        _rules = set.Rules.Where(r => !r.IsMarker).ToDictionary(r => r.Id, ToWafRule);
        _hasResponseRules = set.Phases[3].Concat(set.Phases[4]).Any(r => !r.IsMarker);
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

    /// <summary>
    /// Runs the request phases. With <paramref name="keepForResponse"/> and response rules loaded, a request that passes
    /// keeps its transaction in <see cref="SecLangFinding.Response"/> for phases 3 and 4 (the caller disposes it).
    /// </summary>
    public SecLangFinding Inspect(InspectionRequest request, bool keepForResponse = false)
    {
        var uri = request.RawQuery.Length > 0 ? request.RawPath + "?" + request.RawQuery : request.RawPath;
        var body = request.Body is null ? null : System.Text.Encoding.UTF8.GetBytes(request.Body);
        var keep = keepForResponse && _hasResponseRules;
        var transaction = keep ? _kept.TryTake(out var kept) ? kept : new SecLangTransaction(RuleSet)
            : t_transaction is { } reused && reused.RuleSet == RuleSet ? reused : t_transaction = new SecLangTransaction(RuleSet);
        SecLangResult result;
        try
        {
            transaction.Start(SecLangRequest.FromText(request.ClientAddress?.ToString() ?? "", 0, request.Method, uri,
                request.Protocol ?? "HTTP/1.1", request.Headers, body));
            result = transaction.Evaluate();
        }
        catch
        {
            Release(transaction, keep);
            throw;
        }
        if (keep && !result.Blocked) return Finding(result, null) with { Response = new SecLangResponseCheck(this, transaction) };
        Release(transaction, keep);
        return Finding(result, null);
    }

    internal void Release(SecLangTransaction transaction, bool kept = true)
    {
        transaction.Clear();
        if (kept) _kept.Add(transaction);
    }

    /// <summary>The result in the WAF's terms; <paramref name="what"/> names what was inspected in the reason, when not the request.</summary>
    internal SecLangFinding Finding(SecLangResult result, string? what)
    {
        if (result.Matches.Count == 0) return SecLangFinding.None;
        var matches = result.Matches.Select(m => new RuleMatcher.RuleMatch(_rules[m.Id], Part(m.VariableName))).ToArray();
        if (result.Interrupting is not { } rule) return new SecLangFinding(null, null, null, matches);
        var contributing = result.Matches.Where(m => m.Id != rule.Id).ToList();
        var attack = contributing.SelectMany(m => m.Tags).Concat(rule.Actions.Tags)
            .FirstOrDefault(t => t.StartsWith("attack-", StringComparison.OrdinalIgnoreCase));
        var found = string.Join("; ", contributing.Take(5).Select(m => $"{m.Id} {m.Message} in {m.VariableName}"));
        var message = result.Matches.FirstOrDefault(m => m.Id == rule.Id)?.Message ?? rule.Actions.Msg;
        return new SecLangFinding(_rules[rule.Id], (what is null ? "" : what + ": ") + $"rule {rule.Id}: {message}" + (found.Length > 0 ? $" ({found})" : ""),
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
            "RESPONSE_BODY" or "RESPONSE_HEADERS" or "RESPONSE_HEADERS_NAMES" or "RESPONSE_STATUS" or "RESPONSE_PROTOCOL" or "RESPONSE_CONTENT_TYPE"
                or "RESPONSE_CONTENT_LENGTH" or "STATUS_LINE" => RuleTarget.Response,
            _ => RuleTarget.None,
        };
    }
}
