namespace Edgeplane.Plugins.Waf.Data;

/// <summary>A rule's id says where its state is kept: built-in rules' (default and CRS) in <c>waf_default_rules</c>, operators' in <c>waf_rules</c>.</summary>
public static class RuleIds
{
    public const string Custom = "rule_";
    public const string Default = "default-";
    public const string Crs = "crs-";

    public static bool IsBuiltIn(string id) => id.StartsWith(Default, StringComparison.Ordinal) || id.StartsWith(Crs, StringComparison.Ordinal);
}
