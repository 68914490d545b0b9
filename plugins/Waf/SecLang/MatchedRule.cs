namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>A rule whose whole chain matched, as a log or an event shows it (macros in msg and logdata expanded).</summary>
public sealed record MatchedRule(int Id, int Phase, string? Message, string? LogData, string? Severity, IReadOnlyList<string> Tags, string VariableName, string Value);

/// <summary>What evaluating a request found: the interrupting rule if any (deny, drop, redirect), and every logged match.</summary>
public sealed record SecLangResult(SecLangRule? Interrupting, int Status, IReadOnlyList<MatchedRule> Matches, int AnomalyScore)
{
    public bool Blocked => Interrupting is not null;
}
