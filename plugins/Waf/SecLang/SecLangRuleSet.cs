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
        for (var phase = 1; phase <= 5; phase++)
        {
            var p = phase;
            Phases[phase] = [.. rules.Where(r => r.IsMarker || r.Phase == p)];
        }
        ById = rules.Where(r => !r.IsMarker).ToDictionary(r => r.Id);
    }

    public IReadOnlyList<SecLangRule> Rules { get; }
    public SecLangRule[][] Phases { get; } = new SecLangRule[6][];
    public IReadOnlyDictionary<int, SecLangRule> ById { get; }
    public RuleEngineMode Mode { get; }
    public bool RequestBodyAccess { get; }
    public IReadOnlyList<string> Files { get; }

    public static SecLangRuleSet Empty { get; } = new([], RuleEngineMode.On, true, []);
}
