using System.Text.RegularExpressions;
using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.Operators;
using Edgeplane.Plugins.Waf.SecLang.Parsing;
using Edgeplane.Plugins.Waf.SecLang.Transformations;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// Builds a <see cref="SecLangRuleSet"/> from directives: rules, chains, markers, per-phase defaults, and the
/// directives that edit loaded rules (<c>SecRuleRemoveById/ByTag/ByMsg</c>, <c>SecRuleUpdateTargetById/ByTag</c>,
/// <c>SecRuleUpdateActionById</c>). Logging, audit and storage directives are accepted and have no effect.
/// Anything unknown fails the load with the file and line.
/// </summary>
public sealed class RuleSetLoader
{
    private static readonly HashSet<string> NoEffect = new(StringComparer.OrdinalIgnoreCase)
    {
        "SecAuditEngine", "SecAuditLog", "SecAuditLog2", "SecAuditLogDirMode", "SecAuditLogFileMode", "SecAuditLogFormat",
        "SecAuditLogParts", "SecAuditLogRelevantStatus", "SecAuditLogStorageDir", "SecAuditLogType", "SecDebugLog",
        "SecDebugLogLevel", "SecTmpDir", "SecDataDir", "SecUploadDir", "SecUploadKeepFiles", "SecUploadFileMode",
        "SecUploadFileLimit", "SecPcreMatchLimit", "SecPcreMatchLimitRecursion", "SecCollectionTimeout",
        "SecComponentSignature", "SecServerSignature", "SecUnicodeMapFile", "SecUnicodeCodePage", "SecArgumentSeparator",
        "SecCookieFormat", "SecResponseBodyMimeType", "SecResponseBodyMimeTypesClear", "SecRequestBodyLimit",
        "SecRequestBodyNoFilesLimit", "SecRequestBodyInMemoryLimit", "SecRequestBodyLimitAction", "SecResponseBodyLimit",
        "SecResponseBodyLimitAction", "SecStatusEngine", "SecGeoLookupDb", "SecHashEngine", "SecHashKey", "SecHashParam",
        "SecHashMethodRx", "SecHashMethodPm", "SecWebAppId", "SecSensorId", "SecHttpBlKey", "SecXmlExternalEntity",
        "SecArgumentsLimit", "SecRequestBodyJsonDepthLimit", "SecConnEngine", "SecRemoteRules", "SecRemoteRulesFailAction",
        "SecResponseBodyAccess",
    };

    private readonly List<SecLangRule> _rules = [];
    private readonly Dictionary<int, RuleActions> _defaults = [];
    private readonly List<string> _files = [];
    private RuleEngineMode _mode = RuleEngineMode.On;
    private bool _requestBodyAccess = true;
    private SecLangRule? _openChain;

    /// <summary>Loads the files in order (each may <c>Include</c> others) into one rule set.</summary>
    public static SecLangRuleSet LoadFiles(IEnumerable<string> paths) => LoadFiles(paths, null, _ => false);

    /// <summary>
    /// Loads the files in order (a wildcard in a path's last segment loads each match in ordinal order); the
    /// <paramref name="prelude"/> directives go right after the first file <paramref name="afterFile"/> accepts, or first.
    /// </summary>
    public static SecLangRuleSet LoadFiles(IEnumerable<string> paths, string? prelude, Func<string, bool> afterFile)
    {
        var loader = new RuleSetLoader();
        var files = paths.SelectMany(p => DirectiveReader.Expand(p, Directory.GetCurrentDirectory(), required: true)).ToList();
        var at = prelude is null ? -1 : files.FindIndex(f => afterFile(f)) + 1;
        for (var i = 0; i <= files.Count; i++)
        {
            if (i == at) loader.Apply(DirectiveReader.ReadText(prelude!, "(settings)", Directory.GetCurrentDirectory()));
            if (i == files.Count) break;
            loader._files.Add(files[i]);
            loader.Apply(DirectiveReader.ReadFile(files[i]));
        }
        return loader.Build();
    }

    /// <summary>Rules written inline (tests, operator snippets); data files resolve against <paramref name="baseDirectory"/>.</summary>
    public static SecLangRuleSet LoadText(string text, string name = "inline", string? baseDirectory = null)
    {
        var loader = new RuleSetLoader();
        loader.Apply(DirectiveReader.ReadText(text, name, baseDirectory ?? Directory.GetCurrentDirectory()));
        return loader.Build();
    }

    private void Apply(IEnumerable<Directive> directives)
    {
        foreach (var d in directives) Apply(d);
    }

    private void Apply(Directive d)
    {
        var args = d.Arguments;
        switch (d.Name.ToLowerInvariant())
        {
            case "secrule":
                if (args.Count is < 2 or > 3) throw new SecLangException($"{d.Where}: SecRule takes VARIABLES OPERATOR [ACTIONS]");
                AddRule(d, args[0], args[1], args.Count == 3 ? args[2] : "");
                break;
            case "secaction":
                if (args.Count != 1) throw new SecLangException($"{d.Where}: SecAction takes one list of actions");
                AddRule(d, null, null, args[0]);
                break;
            case "secmarker":
                if (args.Count != 1) throw new SecLangException($"{d.Where}: SecMarker takes one name");
                CloseChain(d);
                _rules.Add(new SecLangRule { Marker = args[0], Actions = new RuleActions(), File = d.File, Line = d.Line });
                break;
            case "secdefaultaction":
                {
                    if (args.Count != 1) throw new SecLangException($"{d.Where}: SecDefaultAction takes one list of actions");
                    var actions = RuleActions.Parse(args[0], d.Where);
                    if (actions.Phase is not { } phase) throw new SecLangException($"{d.Where}: SecDefaultAction needs a phase");
                    if (actions.Disruptive == Disruptive.None) throw new SecLangException($"{d.Where}: SecDefaultAction needs a disruptive action");
                    _defaults[phase] = actions;
                    break;
                }
            case "secruleengine":
                _mode = One(d).ToLowerInvariant() switch
                {
                    "on" => RuleEngineMode.On,
                    "off" => RuleEngineMode.Off,
                    "detectiononly" => RuleEngineMode.DetectionOnly,
                    var v => throw new SecLangException($"{d.Where}: SecRuleEngine is On, Off or DetectionOnly, not '{v}'"),
                };
                break;
            case "secrequestbodyaccess":
                _requestBodyAccess = One(d).Equals("on", StringComparison.OrdinalIgnoreCase);
                break;
            case "secruleremovebyid":
                foreach (var arg in args.SelectMany(a => a.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)))
                {
                    var (from, to) = IdRange.Parse(arg, d.Where);
                    _rules.RemoveAll(r => !r.IsMarker && r.Id >= from && r.Id <= to);
                }
                break;
            case "secruleremovebytag":
                {
                    var pattern = new Regex(One(d), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                    _rules.RemoveAll(r => r.Actions.Tags.Any(pattern.IsMatch));
                    break;
                }
            case "secruleremovebymsg":
                {
                    var pattern = new Regex(One(d), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                    _rules.RemoveAll(r => r.Actions.Msg is { } msg && pattern.IsMatch(msg));
                    break;
                }
            case "secruleupdatetargetbyid":
                if (args.Count is < 2 or > 3) throw new SecLangException($"{d.Where}: SecRuleUpdateTargetById takes ID TARGETS [REPLACED]");
                {
                    var (from, to) = IdRange.Parse(args[0], d.Where);
                    UpdateTargets(_rules.Where(r => !r.IsMarker && r.Id >= from && r.Id <= to), args, d);
                }
                break;
            case "secruleupdatetargetbytag":
                if (args.Count is < 2 or > 3) throw new SecLangException($"{d.Where}: SecRuleUpdateTargetByTag takes TAG TARGETS [REPLACED]");
                {
                    var pattern = new Regex(args[0], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                    UpdateTargets(_rules.Where(r => r.Actions.Tags.Any(pattern.IsMatch)), args, d);
                }
                break;
            case "secruleupdateactionbyid":
                if (args.Count != 2) throw new SecLangException($"{d.Where}: SecRuleUpdateActionById takes ID ACTIONS");
                UpdateActions(args[0], args[1], d);
                break;
            default:
                if (!NoEffect.Contains(d.Name)) throw new SecLangException($"{d.Where}: unknown directive '{d.Name}'");
                break;
        }
    }

    private static string One(Directive d) =>
        d.Arguments.Count == 1 ? d.Arguments[0] : throw new SecLangException($"{d.Where}: {d.Name} takes one argument");

    private void AddRule(Directive d, string? variables, string? op, string actionText)
    {
        var actions = RuleActions.Parse(actionText, d.Where);
        var directory = Path.GetDirectoryName(d.File) is { Length: > 0 } dir ? dir : Directory.GetCurrentDirectory();
        var (oper, negated) = op is null ? (new ConstantOperator("unconditionalMatch", true), false) : OperatorFactory.Create(op, directory, d.Where);
        var targets = variables is null ? [] : VariableSpec.ParseList(variables, d.Where);
        foreach (var t in actions.Transformations)
            if (!Transformation.Exists(t)) throw new SecLangException($"{d.Where}: unknown transformation 't:{t}'");
        if (_openChain is { } parent)
        {
            if (actions.Id is not null || actions.Phase is not null)
                throw new SecLangException($"{d.Where}: a chained rule may not have its own id or phase");
            var child = new SecLangRule
            {
                Id = parent.Id, Phase = parent.Phase, Targets = targets, Operator = oper, Negated = negated, Actions = actions,
                File = d.File, Line = d.Line,
            };
            ResolveTransformations(child, parent.Phase);
            var last = parent;
            while (last.Next is not null) last = last.Next;
            last.Next = child;
            if (!actions.Chain) _openChain = null;
            return;
        }
        if (actions.Id is not { } id) throw new SecLangException($"{d.Where}: the rule has no id");
        if (_rules.Any(r => !r.IsMarker && r.Id == id)) throw new SecLangException($"{d.Where}: rule id {id} is used twice");
        var phase = actions.Phase ?? 2;
        var rule = new SecLangRule
        {
            Id = id, Phase = phase, Targets = targets, Operator = oper, Negated = negated, Actions = actions, File = d.File, Line = d.Line,
        };
        var defaults = _defaults.GetValueOrDefault(phase);
        var disruptive = actions.Disruptive;
        if (disruptive is Disruptive.None or Disruptive.Block) disruptive = defaults?.Disruptive ?? Disruptive.Pass;
        if (disruptive == Disruptive.Block) disruptive = Disruptive.Pass;
        rule.Disruptive = disruptive;
        rule.Log = actions.Log ?? defaults?.Log ?? true;
        ResolveTransformations(rule, phase);
        _rules.Add(rule);
        if (actions.Chain) _openChain = rule;
    }

    private void ResolveTransformations(SecLangRule rule, int phase)
    {
        var names = new List<string>(_defaults.GetValueOrDefault(phase)?.Transformations ?? []);
        foreach (var t in rule.Actions.Transformations)
        {
            if (t.Equals("none", StringComparison.OrdinalIgnoreCase)) names.Clear();
            else names.Add(t);
        }
        names.RemoveAll(n => n.Equals("none", StringComparison.OrdinalIgnoreCase));
        rule.Transformations = [.. names.Select(n => Transformation.Find(n)!)];
        rule.TransformationKey = string.Intern(string.Join(',', names).ToLowerInvariant());
    }

    private void CloseChain(Directive d)
    {
        if (_openChain is not null) throw new SecLangException($"{d.Where}: rule {_openChain.Id} ends with 'chain' but no rule follows it");
    }

    private static void UpdateTargets(IEnumerable<SecLangRule> rules, IReadOnlyList<string> args, Directive d)
    {
        var added = VariableSpec.ParseList(args[1], d.Where);
        var replaced = args.Count == 3 ? VariableSpec.Parse(args[2], d.Where) : null;
        foreach (var rule in rules)
        {
            if (replaced is not null)
            {
                var at = rule.Targets.FindIndex(t => t.ToString().Equals(replaced.ToString(), StringComparison.OrdinalIgnoreCase));
                if (at >= 0) rule.Targets.RemoveAt(at);
            }
            rule.Targets.AddRange(added);
        }
    }

    private void UpdateActions(string idText, string actionText, Directive d)
    {
        var (from, to) = IdRange.Parse(idText, d.Where);
        var update = RuleActions.Parse(actionText, d.Where);
        foreach (var rule in _rules.Where(r => !r.IsMarker && r.Id >= from && r.Id <= to))
        {
            if (update.Disruptive != Disruptive.None)
                rule.Disruptive = update.Disruptive == Disruptive.Block ? _defaults.GetValueOrDefault(rule.Phase)?.Disruptive ?? Disruptive.Pass : update.Disruptive;
            if (update.Status is not null) rule.Actions.Status = update.Status;
            if (update.Msg is not null) rule.Actions.Msg = update.Msg;
            if (update.LogData is not null) rule.Actions.LogData = update.LogData;
            if (update.Severity is not null) rule.Actions.Severity = update.Severity;
            if (update.Log is { } log) rule.Log = log;
            rule.Actions.Tags.AddRange(update.Tags);
            rule.Actions.Runtime.AddRange(update.Runtime);
            if (update.Transformations.Count > 0)
            {
                rule.Actions.Transformations.AddRange(update.Transformations);
                ResolveTransformations(rule, rule.Phase);
            }
        }
    }

    private SecLangRuleSet Build()
    {
        if (_openChain is not null) throw new SecLangException($"{_openChain.File}:{_openChain.Line}: rule {_openChain.Id} ends with 'chain' but no rule follows it");
        return new SecLangRuleSet([.. _rules], _mode, _requestBodyAccess, _files);
    }
}
