using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.BodyProcessors;
using Edgeplane.Plugins.Waf.SecLang.Operators;
using Edgeplane.Plugins.Waf.SecLang.Parsing;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// Evaluates one request against a rule set: phase 1 (request headers), then the body processor, then phase 2,
/// with ModSecurity's semantics for chains, per-match actions, <c>skipAfter</c>, <c>ctl:</c>, <c>setvar</c>
/// and macros. Not thread-safe: one transaction per request.
/// </summary>
public sealed class SecLangTransaction : IMatchContext
{
    private readonly SecLangRuleSet _rules;
    private readonly SecLangRequest _request;
    private readonly Dictionary<string, Collection> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _single = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), string> _transformed = [];
    private readonly List<MatchedRule> _log = [];
    private readonly HashSet<int> _removedIds = [];
    private readonly List<(int From, int To)> _removedRanges = [];
    private readonly List<Regex> _removedTags = [];
    private readonly List<(int Id, VariableSpec Target)> _removedTargetsById = [];
    private readonly List<(Regex Tag, VariableSpec Target)> _removedTargetsByTag = [];
    private List<VariableValue> _matchedVars = [];
    private string _matchedVar = "", _matchedVarName = "";
    private SecLangRule? _currentRule;
    private XmlDocument? _xml;
    private string? _bodyProcessor;
    private bool _bodyAccess;
    private RuleEngineMode _mode;
    private bool _allowAll;
    private bool _allowRequest;
    private SecLangRule? _interrupting;
    private int _status;

    public SecLangTransaction(SecLangRuleSet rules, SecLangRequest request)
    {
        _rules = rules;
        _request = request;
        _mode = rules.Mode;
        _bodyAccess = rules.RequestBodyAccess;
        foreach (var name in new[] { "TX", "IP", "GLOBAL", "SESSION", "USER", "RESOURCE", "GEO", "ENV" }) _collections[name] = new Collection();
        ReadRequestLine();
    }

    public bool Capturing => _currentRule?.Actions.Capture == true;

    /// <summary>Runs phases 1 and 2 (the request); stops at the first interrupting rule.</summary>
    public SecLangResult Evaluate()
    {
        if (_mode != RuleEngineMode.Off)
        {
            RunPhase(1);
            if (_interrupting is null && !_allowAll && !_allowRequest && _mode != RuleEngineMode.Off)
            {
                ReadBody();
                RunPhase(2);
            }
        }
        return new SecLangResult(_interrupting, _status, _log, (int)NumericOperator.ToInt(Tx("anomaly_score") ?? Tx("inbound_anomaly_score") ?? "0"));
    }

    public string? Tx(string key) => _collections["TX"].Get(key);

    private Collection Named(string name)
    {
        if (!_collections.TryGetValue(name, out var c)) _collections[name] = c = new Collection();
        return c;
    }

    // ---- the request's variables ----

    private void ReadRequestLine()
    {
        var r = _request;
        var uri = r.Uri;
        var q = uri.IndexOf('?');
        var rawPath = q < 0 ? uri : uri[..q];
        var query = q < 0 ? "" : uri[(q + 1)..];
        if (rawPath.Contains("://", StringComparison.Ordinal))
        {
            var slash = rawPath.IndexOf('/', rawPath.IndexOf("://", StringComparison.Ordinal) + 3);
            rawPath = slash < 0 ? "/" : rawPath[slash..];
        }
        var path = PercentDecode(rawPath);
        _single["REQUEST_METHOD"] = r.Method;
        _single["REQUEST_PROTOCOL"] = r.Protocol;
        _single["REQUEST_LINE"] = $"{r.Method} {uri} {r.Protocol}";
        _single["REQUEST_URI_RAW"] = uri;
        _single["REQUEST_URI"] = PercentDecode(q < 0 ? rawPath : rawPath + "?" + query);
        _single["REQUEST_FILENAME"] = path;
        _single["REQUEST_BASENAME"] = path[(path.LastIndexOfAny(['/', '\\']) + 1)..];
        _single["QUERY_STRING"] = query;
        _single["REMOTE_ADDR"] = r.RemoteAddress;
        _single["REMOTE_HOST"] = r.RemoteAddress;
        _single["REMOTE_PORT"] = r.RemotePort.ToString(CultureInfo.InvariantCulture);
        _single["UNIQUE_ID"] = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        _single["REQBODY_ERROR"] = "0";
        _single["REQBODY_PROCESSOR_ERROR"] = "0";
        _single["MULTIPART_STRICT_ERROR"] = "0";
        _single["MULTIPART_UNMATCHED_BOUNDARY"] = "0";
        _single["URLENCODED_ERROR"] = "0";
        _single["INBOUND_DATA_ERROR"] = "0";
        var headers = Named("REQUEST_HEADERS");
        var headerNames = Named("REQUEST_HEADERS_NAMES");
        var cookies = Named("REQUEST_COOKIES");
        var cookieNames = Named("REQUEST_COOKIES_NAMES");
        foreach (var (name, value) in r.Headers)
        {
            headers.Add(name, value);
            headerNames.Add(name, name);
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase)) _single["SERVER_NAME"] = value.Split(':')[0];
            if (!name.Equals("cookie", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var part in value.TrimEnd().Split(';'))
            {
                var eq = part.IndexOf('=');
                var cookieName = (eq < 0 ? part : part[..eq]).TrimStart();
                if (cookieName.Length == 0) continue;
                cookies.Add(cookieName, eq < 0 ? "" : part[(eq + 1)..]);
                cookieNames.Add(cookieName, cookieName);
            }
        }
        var argsGet = Named("ARGS_GET");
        UrlEncodedBody.Parse(query, argsGet);
        Named("ARGS_POST");
        Named("FILES");
        Named("FILES_NAMES");
        Named("FILES_SIZES");
        Named("MULTIPART_PART_HEADERS");
    }

    /// <summary>Percent-decoding of the path (no <c>+</c> to space), invalid escapes kept.</summary>
    private static string PercentDecode(string s)
    {
        if (s.IndexOf('%') < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%' && i + 2 < s.Length && char.IsAsciiHexDigit(s[i + 1]) && char.IsAsciiHexDigit(s[i + 2]))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private void ReadBody()
    {
        var body = _request.Body ?? [];
        _single["REQUEST_BODY_LENGTH"] = body.Length.ToString(CultureInfo.InvariantCulture);
        var contentType = Named("REQUEST_HEADERS").Get("content-type") ?? "";
        var type = contentType.Split(';')[0].Trim().ToLowerInvariant();
        _bodyProcessor ??= type switch
        {
            "application/x-www-form-urlencoded" => "URLENCODED",
            "multipart/form-data" => "MULTIPART",
            _ when type.EndsWith("/json", StringComparison.Ordinal) || type.EndsWith("+json", StringComparison.Ordinal) => "JSON",
            _ when type.EndsWith("/xml", StringComparison.Ordinal) || type.EndsWith("+xml", StringComparison.Ordinal) => "XML",
            _ => null,
        };
        if (_bodyProcessor is not null) _single["REQBODY_PROCESSOR"] = _bodyProcessor;
        if (!_bodyAccess || body.Length == 0) return;
        var text = Encoding.Latin1.GetString(body);
        _single["REQUEST_BODY"] = text;
        _single["FULL_REQUEST_LENGTH"] = body.Length.ToString(CultureInfo.InvariantCulture);
        string? error = null;
        switch (_bodyProcessor)
        {
            case "URLENCODED":
                UrlEncodedBody.Parse(text, Named("ARGS_POST"));
                break;
            case "JSON":
                error = JsonBody.Parse(body, Named("ARGS_POST"));
                break;
            case "XML":
                _xml = XmlBody.Parse(body, out error);
                break;
            case "MULTIPART":
                {
                    var multipart = MultipartBody.Parse(text, contentType);
                    foreach (var (k, v) in multipart.Fields.Items) Named("ARGS_POST").Add(k, v);
                    foreach (var (k, v) in multipart.Files.Items)
                    {
                        Named("FILES").Add(k, v);
                        Named("FILES_NAMES").Add(k, k);
                    }
                    foreach (var (k, v) in multipart.FileSizes.Items) Named("FILES_SIZES").Add(k, v);
                    foreach (var (k, v) in multipart.PartHeaders.Items) Named("MULTIPART_PART_HEADERS").Add(k, v);
                    _single["MULTIPART_STRICT_ERROR"] = multipart.StrictError ? "1" : "0";
                    _single["MULTIPART_UNMATCHED_BOUNDARY"] = multipart.UnmatchedBoundary ? "1" : "0";
                    _single["FILES_COMBINED_SIZE"] = multipart.FileSizes.Items.Sum(s => long.Parse(s.Value, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
                    error = multipart.Error;
                    break;
                }
        }
        if (error is not null)
        {
            _single["REQBODY_ERROR"] = "1";
            _single["REQBODY_PROCESSOR_ERROR"] = "1";
            _single["REQBODY_ERROR_MSG"] = error;
        }
    }

    private IEnumerable<KeyValuePair<string, string>> Args() =>
        Named("ARGS_GET").Items.Concat(Named("ARGS_POST").Items);

    /// <summary>The values a target names, before exclusions.</summary>
    internal IEnumerable<VariableValue> Resolve(VariableSpec spec)
    {
        var name = spec.Collection;
        switch (name)
        {
            case "ARGS": return Members(name, Args(), spec);
            case "ARGS_NAMES": return Members(name, Args().Select(a => new KeyValuePair<string, string>(a.Key, a.Key)), spec);
            case "ARGS_GET_NAMES": return Members(name, Named("ARGS_GET").Items.Select(a => new KeyValuePair<string, string>(a.Key, a.Key)), spec);
            case "ARGS_POST_NAMES": return Members(name, Named("ARGS_POST").Items.Select(a => new KeyValuePair<string, string>(a.Key, a.Key)), spec);
            case "ARGS_COMBINED_SIZE":
                return [new(name, Args().Sum(a => a.Key.Length + a.Value.Length).ToString(CultureInfo.InvariantCulture))];
            case "MATCHED_VARS": return Members(name, _matchedVars.Select(v => new KeyValuePair<string, string>(v.Name, v.Value)), spec, keepNames: true);
            case "MATCHED_VARS_NAMES": return Members(name, _matchedVars.Select(v => new KeyValuePair<string, string>(v.Name, v.Name)), spec, keepNames: true);
            case "MATCHED_VAR": return [new(name, _matchedVar)];
            case "MATCHED_VAR_NAME": return [new(name, _matchedVarName)];
            case "XML": return Xml(spec);
            case "RULE": return RuleValue(spec.Key);
            case "DURATION": return [new(name, "0")];
            case "TIME_EPOCH": return [new(name, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))];
        }
        if (_collections.TryGetValue(name, out var collection)) return Members(name, collection.Items, spec);
        if (_single.TryGetValue(name, out var value)) return [new(name, value)];
        return [];
    }

    private static IEnumerable<VariableValue> Members(string collection, IEnumerable<KeyValuePair<string, string>> items, VariableSpec spec, bool keepNames = false)
    {
        foreach (var (key, value) in items)
            if (spec.Selects(key)) yield return new VariableValue(keepNames ? key : collection + ":" + key, value);
    }

    private IEnumerable<VariableValue> Xml(VariableSpec spec)
    {
        if (_xml is null || spec.Key is null) yield break;
        foreach (var text in XmlBody.Select(_xml, spec.Key)) yield return new VariableValue("XML:" + spec.Key, text);
    }

    private IEnumerable<VariableValue> RuleValue(string? key)
    {
        var rule = _currentRule;
        if (rule is null || key is null) yield break;
        var value = key.ToLowerInvariant() switch
        {
            "id" => rule.Id.ToString(CultureInfo.InvariantCulture),
            "phase" => rule.Phase.ToString(CultureInfo.InvariantCulture),
            "msg" => rule.Actions.Msg is { } msg ? Expand(msg) : "",
            "logdata" => rule.Actions.LogData is { } data ? Expand(data) : "",
            "severity" => rule.Actions.Severity ?? "",
            "ver" => rule.Actions.Ver ?? "",
            _ => null,
        };
        if (value is not null) yield return new VariableValue("RULE:" + key, value);
    }

    // ---- evaluation ----

    private void RunPhase(int phase)
    {
        var rules = _rules.Phases[phase];
        for (var i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            if (rule.IsMarker || IsRemoved(rule)) continue;
            _matchedVars = [];
            if (!Run(rule, rule)) continue;
            if (rule.Log) _log.Add(Logged(rule));
            switch (rule.Disruptive)
            {
                case Disruptive.Deny or Disruptive.Drop or Disruptive.Redirect when _mode == RuleEngineMode.On:
                    _interrupting = rule;
                    _status = rule.Actions.Status ?? (rule.Disruptive == Disruptive.Redirect ? 302 : 403);
                    return;
                case Disruptive.Allow when _mode == RuleEngineMode.On:
                    if (rule.Actions.AllowScope == "phase") return;
                    if (rule.Actions.AllowScope == "request") _allowRequest = true;
                    else _allowAll = true;
                    return;
            }
            if (_mode == RuleEngineMode.Off) return;
            if (rule.Actions.SkipAfter is { } marker)
            {
                var at = Array.FindIndex(rules, i + 1, r => r.Marker == marker);
                i = at < 0 ? rules.Length : at;
            }
            else if (rule.Actions.Skip > 0)
            {
                var skipped = 0;
                while (skipped < rule.Actions.Skip && i + 1 < rules.Length)
                    if (!rules[++i].IsMarker) skipped++;
            }
        }
    }

    private bool IsRemoved(SecLangRule rule)
    {
        if (_removedIds.Contains(rule.Id)) return true;
        foreach (var (from, to) in _removedRanges) if (rule.Id >= from && rule.Id <= to) return true;
        foreach (var tag in _removedTags) if (rule.Actions.Tags.Any(tag.IsMatch)) return true;
        return false;
    }

    /// <summary>One rule of a chain: every target value transformed and tested; per-match actions at each match; then the next link.</summary>
    private bool Run(SecLangRule rule, SecLangRule top)
    {
        _currentRule = rule;
        var matched = new List<VariableValue>();
        if (rule.Targets.Count == 0)
        {
            if (!(rule.Operator!.Match(this, "") ^ rule.Negated)) return false;
            RunActions(rule);
            matched.Add(new VariableValue("", ""));
        }
        else
        {
            foreach (var value in Values(rule, top).ToList()) // setvar may change the collection being read
            {
                _currentRule = rule;
                var input = Transform(value.Value, rule);
                if (!(rule.Operator!.Match(this, input) ^ rule.Negated)) continue;
                _matchedVar = input;
                _matchedVarName = value.Name;
                matched.Add(new VariableValue(value.Name, input));
                RunActions(rule);
            }
        }
        if (matched.Count == 0) return false;
        _matchedVars = matched;
        return rule.Next is null || Run(rule.Next, top);
    }

    private IEnumerable<VariableValue> Values(SecLangRule rule, SecLangRule top)
    {
        var exclusions = rule.Targets.Where(t => t.Exclude).ToList();
        foreach (var (id, target) in _removedTargetsById) if (id == top.Id) exclusions.Add(target);
        foreach (var (tag, target) in _removedTargetsByTag) if (top.Actions.Tags.Any(tag.IsMatch)) exclusions.Add(target);
        var matchedSnapshot = _matchedVars;
        foreach (var spec in rule.Targets)
        {
            if (spec.Exclude) continue;
            var values = Resolve(spec).Where(v => !Excluded(spec, v, exclusions));
            if (spec.Collection is "MATCHED_VARS" or "MATCHED_VARS_NAMES") values = values.ToList();
            if (spec.Count)
            {
                yield return new VariableValue(spec.Collection, values.Count().ToString(CultureInfo.InvariantCulture));
                continue;
            }
            foreach (var v in values) yield return v;
        }
        _matchedVars = matchedSnapshot;
    }

    private static bool Excluded(VariableSpec spec, VariableValue value, List<VariableSpec> exclusions)
    {
        if (exclusions.Count == 0) return false;
        var colon = value.Name.IndexOf(':');
        var key = colon < 0 ? "" : value.Name[(colon + 1)..];
        foreach (var e in exclusions)
        {
            if (e.Collection != spec.Collection) continue;
            if (e.Key is null && e.KeyPattern is null) return true;
            if (colon >= 0 && e.Selects(key)) return true;
        }
        return false;
    }

    private string Transform(string value, SecLangRule rule)
    {
        if (rule.Transformations.Length == 0) return value;
        var key = (value, rule.TransformationKey);
        if (_transformed.TryGetValue(key, out var cached)) return cached;
        var result = value;
        foreach (var t in rule.Transformations) result = t(result);
        _transformed[key] = result;
        return result;
    }

    private MatchedRule Logged(SecLangRule rule)
    {
        _currentRule = rule;
        return new MatchedRule(rule.Id, rule.Phase, rule.Actions.Msg is { } msg ? Expand(msg) : null,
            rule.Actions.LogData is { } data ? Expand(data) : null, rule.Actions.Severity, rule.Actions.Tags, _matchedVarName,
            _matchedVar.Length > 200 ? _matchedVar[..200] : _matchedVar);
    }

    // ---- actions ----

    private void RunActions(SecLangRule rule)
    {
        foreach (var action in rule.Actions.Runtime)
        {
            if (action.Name == "setvar") SetVar(action.Value);
            else Control(action.Value, rule);
        }
    }

    private void SetVar(string text)
    {
        var spec = text.Trim();
        var remove = spec.StartsWith('!');
        if (remove) spec = spec[1..];
        var eq = spec.IndexOf('=');
        var target = Expand(eq < 0 ? spec : spec[..eq]).Trim();
        var dot = target.IndexOf('.');
        if (dot <= 0) return;
        var collection = target[..dot].ToUpperInvariant();
        var key = target[(dot + 1)..];
        if (!VariableNames.IsWritable(collection)) return;
        var store = Named(collection);
        if (remove)
        {
            store.Remove(key);
            return;
        }
        var value = eq < 0 ? "1" : Expand(spec[(eq + 1)..]);
        if (value.Length > 1 && value[0] is '+' or '-' && long.TryParse(value.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var delta))
        {
            var current = NumericOperator.ToInt(store.Get(key) ?? "0");
            value = (value[0] == '+' ? current + delta : current - delta).ToString(CultureInfo.InvariantCulture);
        }
        store.Set(key, value);
    }

    private void Control(string text, SecLangRule rule)
    {
        var eq = text.IndexOf('=');
        if (eq < 0) return;
        var name = text[..eq].Trim();
        var value = Expand(text[(eq + 1)..].Trim());
        var where = $"{rule.File}:{rule.Line}";
        switch (name.ToLowerInvariant())
        {
            case "ruleengine":
                _mode = value.ToLowerInvariant() switch { "off" => RuleEngineMode.Off, "detectiononly" => RuleEngineMode.DetectionOnly, _ => RuleEngineMode.On };
                break;
            case "requestbodyaccess":
                _bodyAccess = value.Equals("on", StringComparison.OrdinalIgnoreCase);
                break;
            case "requestbodyprocessor":
                _bodyProcessor = value.ToUpperInvariant();
                break;
            case "ruleremovebyid":
                foreach (var part in value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
                {
                    var (from, to) = IdRange.Parse(part, where);
                    if (from == to) _removedIds.Add(from);
                    else _removedRanges.Add((from, to));
                }
                break;
            case "ruleremovebytag":
                _removedTags.Add(new Regex(value, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));
                break;
            case "ruleremovetargetbyid":
                {
                    var semi = value.IndexOf(';');
                    if (semi < 0) break;
                    var (from, to) = IdRange.Parse(value[..semi], where);
                    foreach (var target in VariableSpec.ParseList(value[(semi + 1)..], where))
                        for (var id = from; id <= to && id - from < 10_000; id++) _removedTargetsById.Add((id, target with { Exclude = true }));
                    break;
                }
            case "ruleremovetargetbytag":
                {
                    var semi = value.IndexOf(';');
                    if (semi < 0) break;
                    var tag = new Regex(value[..semi], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                    foreach (var target in VariableSpec.ParseList(value[(semi + 1)..], where)) _removedTargetsByTag.Add((tag, target with { Exclude = true }));
                    break;
                }
            // auditEngine, auditLogParts, forceRequestBodyVariable (REQUEST_BODY is always set here), requestBodyLimit, debugLogLevel: nothing to do
        }
    }

    // ---- macros ----

    public void SetCapture(int index, string value) => Named("TX").Set(index.ToString(CultureInfo.InvariantCulture), value);

    /// <summary>Replaces each <c>%{collection.key}</c> or <c>%{VARIABLE}</c> with its first value (empty when there is none).</summary>
    public string Expand(string text)
    {
        var start = text.IndexOf("%{", StringComparison.Ordinal);
        if (start < 0) return text;
        var sb = new StringBuilder(text.Length + 32);
        var i = 0;
        while (start >= 0)
        {
            var end = text.IndexOf('}', start + 2);
            if (end < 0) break;
            sb.Append(text, i, start - i);
            sb.Append(MacroValue(text[(start + 2)..end]));
            i = end + 1;
            start = text.IndexOf("%{", i, StringComparison.Ordinal);
        }
        sb.Append(text, i, text.Length - i);
        return sb.ToString();
    }

    private string MacroValue(string name)
    {
        var separator = name.IndexOfAny(['.', ':']);
        var collection = (separator < 0 ? name : name[..separator]).ToUpperInvariant();
        if (!VariableNames.IsKnown(collection)) return "";
        var spec = new VariableSpec(collection, separator < 0 ? null : name[(separator + 1)..], null, false, false);
        foreach (var v in Resolve(spec)) return v.Value;
        return "";
    }
}
