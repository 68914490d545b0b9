namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>The SecLang engine's settings (<c>Edgeplane:Plugins:waf:…</c>, flattened into <see cref="WafOptions"/>).</summary>
public interface ISecLangSettings
{
    /// <summary>Load Debian's OWASP CRS (<c>modsecurity-crs</c>): its crs-setup.conf and exclusion files, and every rule file.</summary>
    bool CoreRuleSet { get; }
    /// <summary>SecLang files (a wildcard in the last segment is allowed), loaded in order after the CRS when it is on.</summary>
    string[] RuleFiles { get; }
    int ParanoiaLevel { get; }
    int InboundAnomalyThreshold { get; }
    int OutboundAnomalyThreshold { get; }
}

public static class CoreRuleSetFiles
{
    public const string Setup = "/etc/modsecurity/crs/crs-setup.conf";
    public const string ExclusionsBefore = "/etc/modsecurity/crs/REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf";
    public const string Rules = "/usr/share/modsecurity-crs/rules/*.conf";
    public const string ExclusionsAfter = "/etc/modsecurity/crs/RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf";

    /// <summary>The files in the order Debian's <c>owasp-crs.load</c> includes them.</summary>
    public static readonly string[] Debian = [Setup, ExclusionsBefore, Rules, ExclusionsAfter];
}
