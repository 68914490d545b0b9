namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>Which parts of a request a rule inspects.</summary>
[Flags]
public enum RuleTarget
{
    None = 0,
    Path = 1,
    Query = 2,
    Headers = 4,
    Body = 8,
    All = Path | Query | Headers | Body,
    /// <summary>The upstream's response (SecLang phases 3 and 4); not one of the request parts operator rules name.</summary>
    Response = 16,
}

public enum RuleAction
{
    Block,
    Log,
    /// <summary>An exception: a request matching an allow rule is not blocked by any rule.</summary>
    Allow,
}

/// <summary>A rule as the engine runs it.</summary>
public sealed record WafRule(string Id, string Pattern, RuleAction Action, string Severity, RuleTarget Targets, IReadOnlyList<string> Tags)
{
    public static readonly string[] Severities = ["low", "medium", "high", "critical"];

    public static int SeverityRank(string severity) => Array.IndexOf(Severities, severity);

    public static string ActionName(RuleAction action) => action switch
    {
        RuleAction.Block => "block",
        RuleAction.Log => "log",
        _ => "allow",
    };

    public static RuleAction? ParseAction(string? action) => action?.ToLowerInvariant() switch
    {
        "block" => RuleAction.Block,
        "log" => RuleAction.Log,
        "allow" => RuleAction.Allow,
        _ => null,
    };

    /// <summary>Target names: <c>path</c>, <c>query</c>, <c>headers</c>, <c>body</c> (or <c>all</c>); null when one is unknown.</summary>
    public static RuleTarget? ParseTargets(IEnumerable<string>? names)
    {
        if (names is null) return RuleTarget.All;
        var result = RuleTarget.None;
        foreach (var name in names)
        {
            result |= name?.ToLowerInvariant() switch
            {
                "path" => RuleTarget.Path,
                "query" => RuleTarget.Query,
                "headers" or "header" or "cookies" => RuleTarget.Headers,
                "body" => RuleTarget.Body,
                "all" => RuleTarget.All,
                _ => (RuleTarget)(-1),
            };
            if (result < 0) return null;
        }
        return result == RuleTarget.None ? RuleTarget.All : result;
    }

    public static string[] TargetNames(RuleTarget targets) =>
        targets == RuleTarget.All ? ["all"] :
        new[] { (RuleTarget.Path, "path"), (RuleTarget.Query, "query"), (RuleTarget.Headers, "headers"), (RuleTarget.Body, "body"), (RuleTarget.Response, "response") }
            .Where(t => targets.HasFlag(t.Item1)).Select(t => t.Item2).ToArray();
}
