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
/// and, when the proxy inspects responses, phase 3 (response headers) and phase 4 (response body),
/// with ModSecurity's semantics for chains, per-match actions, <c>skipAfter</c>, <c>ctl:</c>, <c>setvar</c>
/// and macros. Not thread-safe: one request at a time; <see cref="Start"/> reuses the transaction's collections and
/// caches for the next one (<see cref="SecLangInspector"/> keeps one per thread).
/// </summary>
public sealed class SecLangTransaction : IMatchContext
{
    private readonly SecLangRuleSet _rules;
    private SecLangRequest _request = null!;
    /// <summary>The request's collections and single values by variable number (<see cref="VariableNames"/>).</summary>
    private readonly Collection?[] _collections = new Collection?[VariableNames.Count];
    private readonly string?[] _single = new string?[VariableNames.Count];
    private readonly Dictionary<(string Value, string Chain), string> _transformed = new(ByReference<string>.Comparer);
    private readonly Dictionary<(string Value, Func<string, string> Step), string> _stepped = new(ByReference<Func<string, string>>.Comparer);
    private readonly Stack<List<VariableValue>> _valueLists = [];
    /// <summary>The transformed values of each <see cref="SecLangRule.ValueSet"/>, valid while their stamp is current (<see cref="IsCurrent"/>).</summary>
    private readonly CollectedValues?[] _collected;
    /// <summary>The values of each <see cref="SecLangRule.TargetSet"/> before transformations, valid while their stamp is current.</summary>
    private readonly List<VariableValue>?[] _targetValues;
    private readonly long[] _targetStamps;
    /// <summary>The value and target sets collected since <see cref="Clear"/> (a set collected in both phases is listed twice).</summary>
    private readonly List<int> _valueSetsUsed = [], _targetSetsUsed = [];
    private readonly Func<string, ulong[]> _candidatesOf;
    /// <summary>
    /// Stamps of what was collected: a new <see cref="_phaseStamp"/> at each phase, a new <see cref="_requestStamp"/> at each
    /// request; both from one counter, so a stamp at or after the request's is of this request.
    /// </summary>
    private long _stamps, _phaseStamp, _requestStamp;
    private readonly Dictionary<string, ulong[]> _candidates = new(ReferenceEqualityComparer.Instance);
    /// <summary>
    /// Long values a case change made (<c>t:lowercase</c>) and the value each was made from: the prefilter ignores case,
    /// so it finds the same literals in both and searches only one of them.
    /// </summary>
    private readonly Dictionary<string, string> _caseVariantOf = new(ReferenceEqualityComparer.Instance);
    private readonly List<MatchedRule> _log = [];
    private readonly Collection _argsGet, _argsPost;
    private StringBuilder? _expansion = new();
    private readonly HashSet<int> _removedIds = [];
    private readonly List<(int From, int To)> _removedRanges = [];
    private readonly List<Regex> _removedTags = [];
    private readonly List<(int Id, VariableSpec Target)> _removedTargetsById = [];
    private readonly List<(Regex Tag, VariableSpec Target)> _removedTargetsByTag = [];
    private IReadOnlyList<VariableValue> _matchedVars = NoMatches;
    private static readonly VariableValue[] NoMatches = [];
    /// <summary>The lists of matched values handed out while the current rule runs, and the ones free for the next rule.</summary>
    private readonly List<List<VariableValue>> _matchListsInUse = [];
    private readonly Stack<List<VariableValue>> _freeMatchLists = [];
    private string _matchedVar = "";
    /// <summary>The last matched value; its name (<c>MATCHED_VAR_NAME</c>) is made only when something reads it.</summary>
    private VariableValue _matchedValue = NoValue;
    private static readonly VariableValue NoValue = new("", null, "");
    /// <summary>What a rule without targets (<c>SecAction</c>) matched.</summary>
    private static readonly VariableValue[] NoTargets = [NoValue];
    private SecLangRule? _currentRule;
    private XmlDocument? _xml;
    private string? _bodyProcessor;
    private bool _bodyAccess;
    private RuleEngineMode _mode;
    private bool _allowAll;
    private bool _allowRequest;
    private SecLangRule? _interrupting;
    private int _status;
    /// <summary>What the rule set's <see cref="SetupPrefix"/> left in the first request that ran it cleanly; null before.</summary>
    private SetupState? _setup;

    public SecLangTransaction(SecLangRuleSet rules, SecLangRequest request) : this(rules) => Start(request);

    /// <summary>A transaction to <see cref="Start"/> requests in, one after the other.</summary>
    public SecLangTransaction(SecLangRuleSet rules)
    {
        _rules = rules;
        _collected = new CollectedValues?[rules.ValueSets];
        _targetValues = new List<VariableValue>?[rules.TargetSets];
        _targetStamps = new long[rules.TargetSets];
        _candidatesOf = Candidates;
        foreach (var id in Persistent) _collections[id] = new Collection(rules.Slots);
        _argsGet = new Collection(rules.Slots);
        _argsPost = new Collection(rules.Slots);
        _collections[VariableNames.IdOf("ARGS_GET")] = _argsGet;
        _collections[VariableNames.IdOf("ARGS_POST")] = _argsPost;
    }

    public SecLangRuleSet RuleSet => _rules;

    /// <summary>Begins the evaluation of a request: what the previous one left is forgotten, its storage kept.</summary>
    public void Start(SecLangRequest request)
    {
        Clear();
        _request = request;
        ReadRequestLine();
    }

    /// <summary>Lets go of the last request (its values and what the rules wrote), keeping the storage for the next.</summary>
    public void Clear()
    {
        foreach (var collection in _collections) collection?.Clear();
        Array.Clear(_single);
        ClearCache(_transformed);
        ClearCache(_stepped);
        ClearCache(_candidates);
        ClearCache(_caseVariantOf);
        _log.Clear();
        foreach (var set in _valueSetsUsed) _collected[set]!.Clear();
        foreach (var set in _targetSetsUsed) _targetValues[set]!.Clear();
        _valueSetsUsed.Clear();
        _targetSetsUsed.Clear();
        _requestStamp = _phaseStamp = ++_stamps;
        _removedIds.Clear();
        _removedRanges.Clear();
        _removedTags.Clear();
        _removedTargetsById.Clear();
        _removedTargetsByTag.Clear();
        ReleaseMatchLists();
        _matchedVar = "";
        _matchedValue = NoValue;
        _currentRule = null;
        _xml = null;
        _bodyProcessor = null;
        _mode = _rules.Mode;
        _bodyAccess = _rules.RequestBodyAccess;
        _allowAll = _allowRequest = false;
        _interrupting = null;
        _status = 0;
        _request = null!;
    }

    /// <summary>A cache that grew large for one request is let go rather than cleared at every request after it.</summary>
    private static void ClearCache<TKey, TValue>(Dictionary<TKey, TValue> cache) where TKey : notnull
    {
        var count = cache.Count;
        cache.Clear();
        if (count > 1024) cache.TrimExcess();
    }

    /// <summary>The collections that exist whether or not a rule wrote to them.</summary>
    private static readonly int[] Persistent = [.. new[] { "TX", "IP", "GLOBAL", "SESSION", "USER", "RESOURCE", "GEO", "ENV" }.Select(VariableNames.IdOf)];
    private static readonly int UniqueId = VariableNames.IdOf("UNIQUE_ID");

    public bool Capturing => _currentRule?.Actions.Capture == true;

    /// <summary>Runs phases 1 and 2 (the request); stops at the first interrupting rule.</summary>
    public SecLangResult Evaluate()
    {
        if (_mode != RuleEngineMode.Off)
        {
            RunPhaseOne();
            if (_interrupting is null && !_allowAll && !_allowRequest && _mode != RuleEngineMode.Off)
            {
                ReadBody();
                RunPhase(2);
            }
        }
        return new SecLangResult(_interrupting, _status, _log.Count == 0 ? [] : [.. _log], (int)NumericOperator.ToInt(Tx("anomaly_score") ?? Tx("inbound_anomaly_score") ?? "0"));
    }

    /// <summary>
    /// Phase 3: the response's status line and headers, in the transaction whose request passed
    /// (what the request phases wrote is kept). Skipped after an <c>allow</c> for the whole transaction.
    /// </summary>
    public SecLangResult EvaluateResponseHeaders(SecLangResponse response)
    {
        var logged = _log.Count;
        if (!SkipsResponse)
        {
            ReadResponse(response);
            RunPhase(3);
        }
        return ResponseResult(logged);
    }

    /// <summary>Phase 4: the response body (or its first part, the inspection limit), after <see cref="EvaluateResponseHeaders"/>.</summary>
    public SecLangResult EvaluateResponseBody(ReadOnlySpan<byte> body)
    {
        var logged = _log.Count;
        if (!SkipsResponse)
        {
            SetSingle("RESPONSE_BODY", Encoding.Latin1.GetString(body));
            _single[ResponseContentLength] ??= body.Length.ToString(CultureInfo.InvariantCulture);
            RunPhase(4);
        }
        return ResponseResult(logged);
    }

    private static readonly int ResponseContentLength = VariableNames.IdOf("RESPONSE_CONTENT_LENGTH");

    private bool SkipsResponse => _interrupting is not null || _allowAll || _mode == RuleEngineMode.Off;

    private SecLangResult ResponseResult(int logged) =>
        new(_interrupting, _status, _log.Count == logged ? [] : [.. _log.Skip(logged)], (int)NumericOperator.ToInt(Tx("outbound_anomaly_score") ?? "0"));

    private void ReadResponse(SecLangResponse response)
    {
        var status = response.Status.ToString(CultureInfo.InvariantCulture);
        SetSingle("RESPONSE_STATUS", status);
        SetSingle("RESPONSE_PROTOCOL", response.Protocol);
        SetSingle("STATUS_LINE", response.Reason is { Length: > 0 } reason ? $"{response.Protocol} {status} {reason}" : $"{response.Protocol} {status}");
        var headers = Named("RESPONSE_HEADERS");
        var names = Named("RESPONSE_HEADERS_NAMES");
        foreach (var (name, value) in response.Headers)
        {
            headers.Add(name, value);
            names.Add(name, name);
            if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase)) SetSingle("RESPONSE_CONTENT_TYPE", value);
            else if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase)) SetSingle("RESPONSE_CONTENT_LENGTH", value);
        }
    }

    public string? Tx(string key) => Named("TX").Get(key);

    private Collection Named(string name) => _collections[VariableNames.IdOf(name)] ??= new Collection(_rules.Slots);

    private void SetSingle(string name, string value) => _single[VariableNames.IdOf(name)] = value;

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
        SetSingle("REQUEST_METHOD", r.Method);
        SetSingle("REQUEST_PROTOCOL", r.Protocol);
        SetSingle("REQUEST_LINE", $"{r.Method} {uri} {r.Protocol}");
        SetSingle("REQUEST_URI_RAW", uri);
        SetSingle("REQUEST_URI", PercentDecode(q < 0 ? rawPath : rawPath + "?" + query));
        SetSingle("REQUEST_FILENAME", path);
        SetSingle("REQUEST_BASENAME", path[(path.LastIndexOfAny(['/', '\\']) + 1)..]);
        SetSingle("QUERY_STRING", query);
        SetSingle("REMOTE_ADDR", r.RemoteAddress);
        SetSingle("REMOTE_HOST", r.RemoteAddress);
        SetSingle("REMOTE_PORT", r.RemotePort.ToString(CultureInfo.InvariantCulture));
        SetSingle("REQBODY_ERROR", "0");
        SetSingle("REQBODY_PROCESSOR_ERROR", "0");
        SetSingle("MULTIPART_STRICT_ERROR", "0");
        SetSingle("MULTIPART_UNMATCHED_BOUNDARY", "0");
        SetSingle("URLENCODED_ERROR", "0");
        SetSingle("INBOUND_DATA_ERROR", "0");
        var headers = Named("REQUEST_HEADERS");
        var headerNames = Named("REQUEST_HEADERS_NAMES");
        var cookies = Named("REQUEST_COOKIES");
        var cookieNames = Named("REQUEST_COOKIES_NAMES");
        foreach (var (name, value) in r.Headers)
        {
            headers.Add(name, value);
            headerNames.Add(name, name);
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase)) SetSingle("SERVER_NAME", value.Split(':')[0]);
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
        UrlEncodedBody.Parse(query, _argsGet);
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
        SetSingle("REQUEST_BODY_LENGTH", body.Length.ToString(CultureInfo.InvariantCulture));
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
        if (_bodyProcessor is not null) SetSingle("REQBODY_PROCESSOR", _bodyProcessor);
        if (!_bodyAccess || body.Length == 0) return;
        var text = Encoding.Latin1.GetString(body);
        SetSingle("REQUEST_BODY", text);
        SetSingle("FULL_REQUEST_LENGTH", body.Length.ToString(CultureInfo.InvariantCulture));
        string? error = null;
        switch (_bodyProcessor)
        {
            case "URLENCODED":
                UrlEncodedBody.Parse(text, _argsPost);
                break;
            case "JSON":
                error = JsonBody.Parse(body, _argsPost);
                break;
            case "XML":
                _xml = XmlBody.Parse(body, out error);
                break;
            case "MULTIPART":
                {
                    var multipart = MultipartBody.Parse(text, contentType);
                    foreach (var (k, v) in multipart.Fields.Items) _argsPost.Add(k, v);
                    foreach (var (k, v) in multipart.Files.Items)
                    {
                        Named("FILES").Add(k, v);
                        Named("FILES_NAMES").Add(k, k);
                    }
                    foreach (var (k, v) in multipart.FileSizes.Items) Named("FILES_SIZES").Add(k, v);
                    foreach (var (k, v) in multipart.PartHeaders.Items) Named("MULTIPART_PART_HEADERS").Add(k, v);
                    SetSingle("MULTIPART_STRICT_ERROR", multipart.StrictError ? "1" : "0");
                    SetSingle("MULTIPART_UNMATCHED_BOUNDARY", multipart.UnmatchedBoundary ? "1" : "0");
                    SetSingle("FILES_COMBINED_SIZE", multipart.FileSizes.Items.Sum(s => long.Parse(s.Value, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture));
                    error = multipart.Error;
                    break;
                }
        }
        if (error is not null)
        {
            SetSingle("REQBODY_ERROR", "1");
            SetSingle("REQBODY_PROCESSOR_ERROR", "1");
            SetSingle("REQBODY_ERROR_MSG", error);
        }
    }

    /// <summary>Appends the values a target names, before exclusions.</summary>
    private void AddValues(VariableSpec spec, List<VariableValue> into)
    {
        var name = spec.Collection;
        switch (spec.Id)
        {
            case VariableNames.Args:
                AddMembers(name, _argsGet, spec, into, names: false);
                AddMembers(name, _argsPost, spec, into, names: false);
                return;
            case VariableNames.ArgsNames:
                AddMembers(name, _argsGet, spec, into, names: true);
                AddMembers(name, _argsPost, spec, into, names: true);
                return;
            case VariableNames.ArgsGetNames: AddMembers(name, _argsGet, spec, into, names: true); return;
            case VariableNames.ArgsPostNames: AddMembers(name, _argsPost, spec, into, names: true); return;
            case VariableNames.ArgsCombinedSize:
                {
                    var size = 0L;
                    foreach (var (k, v) in _argsGet.Items) size += k.Length + v.Length;
                    foreach (var (k, v) in _argsPost.Items) size += k.Length + v.Length;
                    into.Add(new(name, null, size.ToString(CultureInfo.InvariantCulture)));
                    return;
                }
            case VariableNames.MatchedVars:
                foreach (var v in _matchedVars) if (spec.Selects(v.Name)) into.Add(v);
                return;
            case VariableNames.MatchedVarsNames:
                foreach (var v in _matchedVars) if (spec.Selects(v.Name)) into.Add(v with { Value = v.Name });
                return;
            case VariableNames.MatchedVar: into.Add(new(name, null, _matchedVar)); return;
            case VariableNames.MatchedVarName: into.Add(new(name, null, _matchedValue.Name)); return;
            case VariableNames.Xml:
                if (_xml is not null && spec.Key is not null)
                    foreach (var text in XmlBody.Select(_xml, spec.Key)) into.Add(new(name, spec.Key, text));
                return;
            case VariableNames.Rule:
                if (RuleValue(spec.Key) is { } ruleValue) into.Add(new(name, spec.Key, ruleValue));
                return;
            case VariableNames.Duration: into.Add(new(name, null, "0")); return;
            case VariableNames.TimeEpoch: into.Add(new(name, null, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))); return;
        }
        if (spec.Id < 0) return;
        if (_collections[spec.Id] is { } collection) AddMembers(name, collection, spec, into, names: false);
        else if (_single[spec.Id] is { } value) into.Add(new(name, null, value));
        else if (spec.Id == UniqueId) into.Add(new(name, null, _single[spec.Id] = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())));
    }

    private static void AddMembers(string collection, Collection items, VariableSpec spec, List<VariableValue> into, bool names)
    {
        var members = items.Members;
        var slots = items.MemberSlots;
        var (from, left) = (0, members.Length);
        if (spec.Key is { } key && spec.KeyPattern is null)
        {
            (from, left) = items.Find(spec.Slot, key);
            if (left == 1)
            {
                into.Add(new(collection, members[from].Key, names ? members[from].Key : members[from].Value));
                return;
            }
        }
        for (var i = from; i < members.Length && left > 0; i++)
        {
            if (!spec.Selects(members[i].Key, slots[i])) continue;
            into.Add(new(collection, members[i].Key, names ? members[i].Key : members[i].Value));
            left--;
        }
    }

    private string? RuleValue(string? key)
    {
        var rule = _currentRule;
        if (rule is null || key is null) return null;
        return key.ToLowerInvariant() switch
        {
            "id" => rule.Id.ToString(CultureInfo.InvariantCulture),
            "phase" => rule.Phase.ToString(CultureInfo.InvariantCulture),
            "msg" => rule.Actions.Msg is { } msg ? Expand(msg) : "",
            "logdata" => rule.Actions.LogData is { } data ? Expand(data) : "",
            "severity" => rule.Actions.Severity ?? "",
            "ver" => rule.Actions.Ver ?? "",
            _ => null,
        };
    }

    // ---- evaluation ----

    private void RunPhase(int phase)
    {
        _phaseStamp = ++_stamps; // the body was read since the last phase
        RunRules(phase, 0, int.MaxValue);
    }

    /// <summary>Phase 1, starting after the <see cref="SetupPrefix"/> from what it left once a request ran it cleanly.</summary>
    private void RunPhaseOne()
    {
        _phaseStamp = ++_stamps;
        var setupLength = _rules.SetupLength;
        if (setupLength == 0)
        {
            RunRules(1, 0, int.MaxValue);
            return;
        }
        if (_setup is { } setup)
        {
            var tx = _collections[TxId]!;
            for (var i = 0; i < setup.Tx.Length; i++) tx.Add(setup.TxSlots[i], setup.Tx[i].Key, setup.Tx[i].Value);
            _matchedVar = setup.MatchedVar;
            _matchedValue = setup.MatchedValue;
            _currentRule = setup.CurrentRule;
            RunRules(1, setup.Resume, int.MaxValue);
            return;
        }
        var resume = RunRules(1, 0, setupLength);
        if (resume < 0) return;
        if (_log.Count == 0 && _interrupting is null && !_allowAll && !_allowRequest && _mode == _rules.Mode)
        {
            var tx = _collections[TxId]!;
            _setup = new SetupState([.. tx.Members], [.. tx.MemberSlots], _matchedVar, _matchedValue, _currentRule, resume);
        }
        RunRules(1, resume, int.MaxValue);
    }

    /// <summary>
    /// The rules of a phase from index <paramref name="from"/>, stopping before the first at or after <paramref name="until"/>:
    /// the index where the phase goes on (its length when it ran to the end), or -1 when a rule ended the phase.
    /// </summary>
    private int RunRules(int phase, int from, int until)
    {
        var rules = _rules.Phases[phase];
        var steps = _rules.Steps[phase];
        var skipTargets = _rules.SkipTargets[phase];
        for (var i = from; i < rules.Length; i++)
        {
            if (i >= until) return i;
            var step = steps[i];
            if (step.IsMarker) continue;
            switch (Decided(step, out var tested))
            {
                case false:
                    continue;
                case true when step.Member.OnlySkips && !IsRemoved(rules[i]):
                    // what Run and the lines below would do for a rule whose match does nothing but skip
                    _currentRule = rules[i];
                    _matchedVar = tested.Value;
                    _matchedValue = tested;
                    i = skipTargets[i];
                    continue;
            }
            var rule = rules[i];
            if (IsRemoved(rule)) continue;
            ReleaseMatchLists();
            if (!Run(rule, rule)) continue;
            if (rule.Log) _log.Add(Logged(rule));
            switch (rule.Disruptive)
            {
                case Disruptive.Deny or Disruptive.Drop or Disruptive.Redirect when _mode == RuleEngineMode.On:
                    _interrupting = rule;
                    _status = rule.Actions.Status ?? (rule.Disruptive == Disruptive.Redirect ? 302 : 403);
                    return -1;
                case Disruptive.Allow when _mode == RuleEngineMode.On:
                    if (rule.Actions.AllowScope == "phase") return -1;
                    if (rule.Actions.AllowScope == "request") _allowRequest = true;
                    else _allowAll = true;
                    return -1;
            }
            if (_mode == RuleEngineMode.Off) return -1;
            if (rule.Actions.SkipAfter is not null) i = skipTargets[i];
            else if (rule.Actions.Skip > 0)
            {
                var skipped = 0;
                while (skipped < rule.Actions.Skip && i + 1 < rules.Length)
                    if (!rules[++i].IsMarker) skipped++;
            }
        }
        return rules.Length;
    }

    /// <summary>
    /// Whether the step alone decides its rule (what <see cref="Run"/> would find, without reading the rule); null when
    /// the rule must run. False when its value set was collected in this phase and is empty or holds none of the rule's
    /// literals, or the one member it compares with a number is missing; when the member compares, whether it matches,
    /// with the value tested in <paramref name="tested"/>.
    /// </summary>
    private bool? Decided(RuleStep step, out VariableValue tested)
    {
        tested = default;
        if (_removedTargetsById.Count > 0 || _removedTargetsByTag.Count > 0) return null;
        if (step.Members is { } members && NoneThere(members)) return false;
        if (step.ValueSet >= 0)
            return _collected[step.ValueSet] is { } collected && IsCurrent(collected.Stamp, step.StableValues)
                && (collected.Values.Length == 0 || step.PrefilterSlot >= 0 && !LiteralIndex.Contains(collected.AnyCandidates(_candidatesOf, _rules.Literals.Words), step.PrefilterSlot))
                ? false : null;
        var member = step.Member;
        if (member.Collection < 0 || _collections[member.Collection] is not { } owner) return null;
        var (at, count) = owner.Find(member.Slot, member.Key!);
        if (member.Count)
        {
            var countMatches = member.Matches(count);
            if (member.OrValue && count > 0)
            {
                // the count is tested first, then the member: what matched last is the matched value
                if (count != 1) return null;
                var value = owner.Members[at];
                if (member.Matches(NumericOperator.ToInt(value.Value)))
                {
                    tested = new(member.Name, value.Key, value.Value);
                    return true;
                }
            }
            if (!countMatches) return false;
            tested = new(member.Name, null, count.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        // no member: nothing to test (negated or not); more than one: each is tested by the rule
        if (count != 1) return count == 0 ? false : null;
        var found = owner.Members[at];
        tested = new(member.Name, found.Key, found.Value);
        return member.Matches(NumericOperator.ToInt(found.Value));
    }

    /// <summary>Whether none of the named members exists (a member of a collection not made yet, or a single variable, counts as there).</summary>
    private bool NoneThere(NamedMember[] members)
    {
        foreach (var member in members)
            if (_collections[member.Collection] is not { } owner || owner.Find(member.Slot, member.Key).Count > 0) return false;
        return true;
    }

    private bool IsRemoved(SecLangRule rule)
    {
        if (_removedIds.Count == 0 && _removedRanges.Count == 0 && _removedTags.Count == 0) return false;
        if (_removedIds.Contains(rule.Id)) return true;
        foreach (var (from, to) in _removedRanges) if (rule.Id >= from && rule.Id <= to) return true;
        foreach (var tag in _removedTags)
            foreach (var t in rule.Actions.Tags)
                if (tag.IsMatch(t)) return true;
        return false;
    }

    /// <summary>One rule of a chain: every target value transformed and tested; per-match actions at each match; then the next link.</summary>
    private bool Run(SecLangRule rule, SecLangRule top)
    {
        _currentRule = rule;
        if (rule.Targets.Count == 0)
        {
            if (!(rule.Operator!.Match(this, "") ^ rule.Negated)) return false;
            RunActions(rule);
            _matchedVars = NoTargets;
            return rule.Next is null || Run(rule.Next, top);
        }
        List<VariableValue>? matched = null;
        if (rule.ValueSet >= 0 && _removedTargetsById.Count == 0 && _removedTargetsByTag.Count == 0)
        {
            var collected = Collected(rule, top);
            // none of the values contains one of the regex's literals: nothing to test (a negated regex matches them all)
            if (rule.PrefilterSlot >= 0 && !rule.Negated && !LiteralIndex.Contains(collected.AnyCandidates(_candidatesOf, _rules.Literals.Words), rule.PrefilterSlot))
                return false;
            foreach (ref var value in collected.Values) Test(rule, value.Value, value.Input, ref value.Candidates, ref matched);
            return Matched(rule, top, matched);
        }
        if (rule.OneMember is { } member && _removedTargetsById.Count == 0 && _removedTargetsByTag.Count == 0 && _collections[member.Id] is { } owner)
        {
            var (at, count) = owner.Find(member.Slot, member.Key!);
            if (member.Count || count == 0)
            {
                if (member.Count) TestOne(rule, new(member.Collection, null, count.ToString(CultureInfo.InvariantCulture)), ref matched);
                return Matched(rule, top, matched);
            }
            if (count == 1)
            {
                var found = owner.Members[at];
                TestOne(rule, new(member.Collection, found.Key, found.Value), ref matched);
                return Matched(rule, top, matched);
            }
        }
        // all values are read before any action runs: setvar may change the collection being read
        var values = _valueLists.Count > 0 ? _valueLists.Pop() : [];
        CollectValues(rule, top, values);
        foreach (var value in values)
        {
            ulong[]? candidates = null;
            if (!rule.Actions.MultiMatch)
            {
                Test(rule, value, Transform(value.Value, rule), ref candidates, ref matched);
                continue;
            }
            // multiMatch: the value before the transformations and after each one that changes it
            var form = value.Value;
            Test(rule, value, form, ref candidates, ref matched);
            foreach (var transformation in rule.Transformations)
            {
                var next = transformation(form);
                candidates = null;
                if (next != form) Test(rule, value, next, ref candidates, ref matched);
                form = next;
            }
        }
        values.Clear();
        _valueLists.Push(values);
        return Matched(rule, top, matched);
    }

    /// <summary>The end of a link: the next one runs when this one matched.</summary>
    private bool Matched(SecLangRule rule, SecLangRule top, List<VariableValue>? matched)
    {
        if (matched is null) return false;
        _matchedVars = matched;
        return rule.Next is null || Run(rule.Next, top);
    }

    private void TestOne(SecLangRule rule, VariableValue value, ref List<VariableValue>? matched)
    {
        ulong[]? candidates = null;
        Test(rule, value, Transform(value.Value, rule), ref candidates, ref matched);
    }

    private List<VariableValue> MatchList()
    {
        var list = _freeMatchLists.Count > 0 ? _freeMatchLists.Pop() : [];
        _matchListsInUse.Add(list);
        return list;
    }

    /// <summary>Forgets the matches of the rule that ran last (a rule's <c>MATCHED_VARS</c> are its own), keeping the lists.</summary>
    private void ReleaseMatchLists()
    {
        if (_matchListsInUse.Count == 0 && ReferenceEquals(_matchedVars, NoMatches)) return;
        _matchedVars = NoMatches;
        foreach (var list in _matchListsInUse)
        {
            list.Clear();
            _freeMatchLists.Push(list);
        }
        _matchListsInUse.Clear();
    }

    /// <summary>The values of a rule's <see cref="SecLangRule.ValueSet"/>, transformed: collected by the first rule of the phase that reads them.</summary>
    private CollectedValues Collected(SecLangRule rule, SecLangRule top)
    {
        var collected = _collected[rule.ValueSet] ??= new CollectedValues();
        if (IsCurrent(collected.Stamp, rule.StableValues)) return collected;
        collected.Clear();
        _valueSetsUsed.Add(rule.ValueSet);
        foreach (var value in TargetValues(rule, top)) collected.Add(value, Transform(value.Value, rule));
        collected.Stamp = _phaseStamp;
        return collected;
    }

    /// <summary>
    /// Whether values collected at <paramref name="stamp"/> are still those of the request: collected in this phase, or,
    /// for targets that cannot change within a request (<see cref="SecLangRule.StableValues"/>), in an earlier phase of it.
    /// </summary>
    private bool IsCurrent(long stamp, bool stable) => stable ? stamp >= _requestStamp : stamp == _phaseStamp;

    /// <summary>The values of a rule's <see cref="SecLangRule.TargetSet"/>: read by the first rule of the phase that reads them.</summary>
    private List<VariableValue> TargetValues(SecLangRule rule, SecLangRule top)
    {
        var values = _targetValues[rule.TargetSet] ??= [];
        if (IsCurrent(_targetStamps[rule.TargetSet], rule.StableValues)) return values;
        values.Clear();
        _targetSetsUsed.Add(rule.TargetSet);
        CollectValues(rule, top, values);
        _targetStamps[rule.TargetSet] = _phaseStamp;
        return values;
    }

    /// <summary>The operator on one form of a value; at a match, the rule's per-match actions.</summary>
    private void Test(SecLangRule rule, VariableValue value, string input, ref ulong[]? candidates, ref List<VariableValue>? matched)
    {
        _currentRule = rule;
        var match = (rule.PrefilterSlot < 0 || LiteralIndex.Contains(candidates ??= Candidates(input), rule.PrefilterSlot)) && rule.Operator!.Match(this, input);
        if (!(match ^ rule.Negated)) return;
        _matchedVar = input;
        _matchedValue = value;
        (matched ??= MatchList()).Add(value with { Value = input });
        RunActions(rule);
    }

    /// <summary>The regexes that can match a value, searched once per value (by reference, like the transformation cache).</summary>
    private ulong[] Candidates(string value)
    {
        if (!_candidates.TryGetValue(value, out var found))
            _candidates[value] = found = _caseVariantOf.TryGetValue(value, out var origin) ? Candidates(origin) : _rules.Literals.Search(value);
        return found;
    }

    /// <summary>The values of a rule's targets after its exclusions and those <c>ctl:ruleRemoveTarget…</c> added for this request.</summary>
    private void CollectValues(SecLangRule rule, SecLangRule top, List<VariableValue> into)
    {
        var exclusions = rule.Exclusions;
        if (_removedTargetsById.Count > 0 || _removedTargetsByTag.Count > 0)
        {
            var more = new List<VariableSpec>(exclusions);
            foreach (var (id, target) in _removedTargetsById) if (id == top.Id) more.Add(target);
            foreach (var (tag, target) in _removedTargetsByTag)
                if (top.Actions.Tags.Any(tag.IsMatch)) more.Add(target);
            exclusions = [.. more];
        }
        foreach (var spec in rule.Targets)
        {
            if (spec.Exclude) continue;
            var start = into.Count;
            AddValues(spec, into);
            if (exclusions.Length > 0)
            {
                var kept = start;
                for (var j = start; j < into.Count; j++)
                    if (!Excluded(spec, into[j], exclusions)) into[kept++] = into[j];
                into.RemoveRange(kept, into.Count - kept);
            }
            if (spec.Count)
            {
                var count = into.Count - start;
                into.RemoveRange(start, count);
                into.Add(new(spec.Collection, null, count.ToString(CultureInfo.InvariantCulture)));
            }
        }
    }

    private static bool Excluded(VariableSpec spec, VariableValue value, VariableSpec[] exclusions)
    {
        foreach (var e in exclusions)
        {
            if (e.Collection != spec.Collection) continue;
            if (e.Key is null && e.KeyPattern is null) return true;
            if (value.Key is { } key && e.Selects(key)) return true;
        }
        return false;
    }

    /// <summary>A rule's transformations, memoized per value (by reference: values come from the request's collections) and chain.</summary>
    private string Transform(string value, SecLangRule rule)
    {
        if (rule.Transformations.Length == 0) return value;
        var key = (value, rule.TransformationKey);
        if (_transformed.TryGetValue(key, out var cached)) return cached;
        var result = value;
        foreach (var t in rule.Transformations) result = Step(result, t);
        _transformed[key] = result;
        return result;
    }

    /// <summary>Values shorter than this are transformed again rather than looked up (a lookup costs more).</summary>
    private const int SteppedLength = 64;

    /// <summary>
    /// One transformation of a value; for longer values memoized per step, so chains with a common start
    /// (<c>urlDecodeUni,htmlEntityDecode,…</c>) share it. An unchanged value keeps its instance, so that what is cached
    /// by reference (the literals found in it, the next steps) is shared.
    /// </summary>
    private string Step(string value, Func<string, string> transformation)
    {
        if (value.Length < SteppedLength) return Unchanged(value, transformation(value));
        if (_stepped.TryGetValue((value, transformation), out var cached)) return cached;
        var next = Unchanged(value, transformation(value));
        if (!ReferenceEquals(next, value) && Transformations.Transformation.ChangesCaseOnly(transformation)) _caseVariantOf[next] = value;
        return _stepped[(value, transformation)] = next;
    }

    private static string Unchanged(string value, string next) => string.Equals(next, value, StringComparison.Ordinal) ? value : next;

    private MatchedRule Logged(SecLangRule rule)
    {
        _currentRule = rule;
        return new MatchedRule(rule.Id, rule.Phase, rule.Actions.Msg is { } msg ? Expand(msg) : null,
            rule.Actions.LogData is { } data ? Expand(data) : null, rule.Actions.Severity, rule.Actions.Tags, _matchedValue.Name,
            _matchedVar.Length > 200 ? _matchedVar[..200] : _matchedVar);
    }

    // ---- actions ----

    private void RunActions(SecLangRule rule)
    {
        foreach (var action in rule.Actions.Runtime)
        {
            if (action.SetVar is { } setVar) SetVar(setVar);
            else Control(action.Value, rule);
        }
    }

    private void SetVar(SetVarAction action)
    {
        var (collection, key, slot) = action.Target.Parts is null ? (action.CollectionId, action.Key, action.Slot) : Resolved(SetVarAction.Resolve(Expand(action.Target)));
        if (collection < 0) return;
        var store = _collections[collection] ??= new Collection(_rules.Slots);
        if (action.Remove)
        {
            store.Remove(key);
            return;
        }
        var value = action.Value is null ? "1" : Expand(action.Value);
        if (value.Length > 1 && value[0] is '+' or '-' && long.TryParse(value.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var delta))
        {
            var current = NumericOperator.ToInt(store.Get(slot, key) ?? "0");
            value = (value[0] == '+' ? current + delta : current - delta).ToString(CultureInfo.InvariantCulture);
        }
        store.Set(slot, key, value);
    }

    /// <summary>A target that had macros: its name is looked up (slot -1).</summary>
    private static (int Collection, string Key, int Slot) Resolved((int Collection, string Key) target) => (target.Collection, target.Key, -1);

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

    /// <summary>TX:0–9, whose slots are 0–9 (<see cref="SecLangRuleSet.Slots"/>).</summary>
    public void SetCapture(int index, string value) => _collections[TxId]!.Set(index, CaptureKeys[index], value);

    private static readonly int TxId = VariableNames.IdOf("TX");
    private static readonly string[] CaptureKeys = [.. Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>Replaces each <c>%{collection.key}</c> or <c>%{VARIABLE}</c> with its first value (empty when there is none).</summary>
    public string Expand(MacroText text)
    {
        if (text.Parts is not { } parts) return text.Text;
        if (parts.Length == 1) return MacroValue(parts[0]);
        // taken while in use: a RULE:msg part expands macros in turn
        var sb = _expansion ?? new StringBuilder();
        _expansion = null;
        foreach (var part in parts) sb.Append(MacroValue(part));
        var expanded = sb.ToString();
        _expansion = sb.Clear();
        return expanded;
    }

    private string Expand(string text) => text.Contains("%{", StringComparison.Ordinal) ? Expand(MacroText.Parse(text)) : text;

    private string MacroValue(MacroPart part)
    {
        if (part.Text is { } literal) return literal;
        if (part.Variable is not { } variable) return "";
        if (variable.Key is { } key && _collections[variable.Id] is { } members) return members.Get(variable.Slot, key) ?? "";
        // a list of its own: a RULE:msg value expands macros in turn
        var values = _valueLists.Count > 0 ? _valueLists.Pop() : [];
        AddValues(variable, values);
        var first = values.Count > 0 ? values[0].Value : "";
        values.Clear();
        _valueLists.Push(values);
        return first;
    }
}
