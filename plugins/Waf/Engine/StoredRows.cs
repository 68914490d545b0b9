using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Matching;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>What the stored rows mean to the engine.</summary>
public static class StoredRows
{
    public static WafRule ToRule(this RuleRow row) => new(row.Id, row.Pattern, WafRule.ParseAction(row.Action) ?? RuleAction.Block, row.Severity,
        WafRule.ParseTargets(row.Targets.Split(',', StringSplitOptions.RemoveEmptyEntries)) ?? RuleTarget.All,
        row.Tags.Split(',', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Null for a network that no longer parses (the API refuses those; a row written by hand may hold one).</summary>
    public static BlacklistEntry? ToEntry(this BlacklistRow row) =>
        IpNetwork.TryParse(row.Network, out var net, out _) ? new BlacklistEntry(row.Id, net, row.Reason, row.CreatedAt, row.ExpiresAt) : null;
}
