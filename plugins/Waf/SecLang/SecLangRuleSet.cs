using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang;

public enum RuleEngineMode
{
    On,
    DetectionOnly,
    Off,
}

/// <summary>A loaded rule set: the rules of each phase in file order (markers in every phase), immutable once built.</summary>
public sealed class SecLangRuleSet
{
    public SecLangRuleSet(IReadOnlyList<SecLangRule> rules, RuleEngineMode mode, bool requestBodyAccess, IReadOnlyList<string> files)
    {
        Rules = rules;
        Mode = mode;
        RequestBodyAccess = requestBodyAccess;
        Files = files;
        foreach (var rule in rules) rule.Complete();
        Literals = LiteralIndex.Build(rules.Where(r => !r.IsMarker));
        Slots = NumberMembers(rules.Where(r => !r.IsMarker).SelectMany(r => r.Chain()));
        (ValueSets, TargetSets) = NumberValueSets(rules.Where(r => !r.IsMarker).SelectMany(r => r.Chain()));
        for (var phase = 1; phase <= 5; phase++)
        {
            var p = phase;
            Phases[phase] = [.. rules.Where(r => r.IsMarker || r.Phase == p)];
            Steps[phase] = [.. Phases[phase].Select(RuleStep.Of)];
            SkipTargets[phase] = SkipAfterTargets(Phases[phase]);
        }
        SetupLength = SetupPrefix.Length(Phases[1]);
        ById = rules.Where(r => !r.IsMarker).ToDictionary(r => r.Id);
    }

    public IReadOnlyList<SecLangRule> Rules { get; }
    public SecLangRule[][] Phases { get; } = new SecLangRule[6][];
    /// <summary>For each rule of <see cref="Phases"/>, at the same index: what the rule loop reads before the rule itself.</summary>
    public RuleStep[][] Steps { get; } = new RuleStep[6][];
    /// <summary>For each rule of a phase with <c>skipAfter</c>: the index of the first following marker of that name (the phase's length when none follows).</summary>
    public int[][] SkipTargets { get; } = new int[6][];
    /// <summary>How many rules and markers at the start of phase 1 read and write only <c>TX</c> (<see cref="SetupPrefix"/>).</summary>
    public int SetupLength { get; }
    public IReadOnlyDictionary<int, SecLangRule> ById { get; }
    public LiteralIndex Literals { get; }
    /// <summary>The member names the rules write statically, numbered; <c>TX:0</c>–<c>TX:9</c> (captures) are 0–9.</summary>
    public MemberSlots Slots { get; }
    /// <summary>How many distinct <see cref="SecLangRule.ValueSet"/>s the rules have.</summary>
    public int ValueSets { get; }
    /// <summary>How many distinct <see cref="SecLangRule.TargetSet"/>s the rules have.</summary>
    public int TargetSets { get; }
    public RuleEngineMode Mode { get; }
    public bool RequestBodyAccess { get; }
    public IReadOnlyList<string> Files { get; }

    /// <summary>Variables whose values rules change while a phase runs (<c>setvar</c>, captures, the last match, the rule running).</summary>
    private static readonly HashSet<int> Changing =
    [
        .. new[] { "TX", "IP", "GLOBAL", "SESSION", "USER", "RESOURCE", "MATCHED_VAR", "MATCHED_VARS", "MATCHED_VAR_NAME", "MATCHED_VARS_NAMES",
            "RULE", "DURATION", "TIME", "TIME_DAY", "TIME_HOUR", "TIME_MIN", "TIME_MON", "TIME_SEC", "TIME_WDAY", "TIME_YEAR", "TIME_EPOCH",
            "HIGHEST_SEVERITY" }.Select(VariableNames.IdOf),
    ];

    /// <summary>
    /// Variables the transaction sets from the request line and headers when it starts and nothing changes afterwards (the
    /// body processor writes <c>ARGS_POST</c>, <c>FILES</c>, … and the <c>REQBODY_*</c> variables; <c>setvar</c> writes <c>TX</c> and the like).
    /// </summary>
    private static readonly HashSet<int> Stable =
    [
        .. new[] { "REQUEST_LINE", "REQUEST_METHOD", "REQUEST_PROTOCOL", "REQUEST_URI", "REQUEST_URI_RAW", "REQUEST_FILENAME", "REQUEST_BASENAME",
            "QUERY_STRING", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_PORT", "SERVER_NAME", "REQUEST_HEADERS", "REQUEST_HEADERS_NAMES", "REQUEST_COOKIES",
            "REQUEST_COOKIES_NAMES", "ARGS_GET", "ARGS_GET_NAMES" }.Select(VariableNames.IdOf),
    ];

    private static (int ValueSets, int TargetSets) NumberValueSets(IEnumerable<SecLangRule> links)
    {
        var valueSets = new Dictionary<string, int>(StringComparer.Ordinal);
        var targetSets = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var link in links)
        {
            if (link.Targets.Count == 0 || link.Actions.MultiMatch || link.Targets.Any(t => Changing.Contains(t.Id))) continue;
            var targets = string.Join('|', link.Targets);
            link.ValueSet = Number(valueSets, targets + " " + link.TransformationKey);
            link.TargetSet = Number(targetSets, targets);
            link.StableValues = link.Targets.All(t => Stable.Contains(t.Id));
        }
        return (valueSets.Count, targetSets.Count);
    }

    /// <summary>Numbers the members the rules' targets, macros and <c>setvar</c> targets name, and gives each its slot.</summary>
    private static MemberSlots NumberMembers(IEnumerable<SecLangRule> links)
    {
        var slots = new MemberSlots();
        for (var capture = 0; capture < 10; capture++) slots.Assign(capture.ToString(System.Globalization.CultureInfo.InvariantCulture));
        void Spec(VariableSpec spec)
        {
            if (spec.Key is { } key && spec.KeyPattern is null) spec.Slot = slots.Assign(key);
        }
        void Macros(MacroText? text)
        {
            foreach (var part in text?.Parts ?? [])
                if (part.Variable is { } variable) Spec(variable);
        }
        var patterns = new List<VariableSpec>();
        foreach (var link in links)
        {
            patterns.AddRange(link.Targets.Where(t => t.KeyPattern is not null));
            foreach (var target in link.Targets) Spec(target);
            foreach (var text in link.Operator?.Macros ?? []) Macros(text);
            foreach (var action in link.Actions.Runtime)
            {
                if (action.SetVar is not { } setVar) continue;
                if (setVar.Target.Parts is null && setVar.CollectionId >= 0) setVar.Slot = slots.Assign(setVar.Key);
                Macros(setVar.Target);
                Macros(setVar.Value);
            }
        }
        foreach (var spec in patterns) spec.SelectsSlot = [.. slots.Names.Select(name => spec.KeyPattern!.IsMatch(name))];
        return slots;
    }

    private static int Number(Dictionary<string, int> numbers, string key)
    {
        if (!numbers.TryGetValue(key, out var number)) numbers[key] = number = numbers.Count;
        return number;
    }

    private static int[] SkipAfterTargets(SecLangRule[] rules)
    {
        var targets = new int[rules.Length];
        var next = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = rules.Length - 1; i >= 0; i--)
        {
            if (rules[i].Actions.SkipAfter is { } marker) targets[i] = next.GetValueOrDefault(marker, rules.Length);
            if (rules[i].Marker is { } name) next[name] = i;
        }
        return targets;
    }

    public static SecLangRuleSet Empty { get; } = new([], RuleEngineMode.On, true, []);
}
