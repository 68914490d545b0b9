namespace Edgeplane.Plugins.Rollouts.Data.Sboms;

/// <summary>An SBOM as stored: its format (cyclonedx or spdx), the format's version and the components it lists.</summary>
public sealed record ParsedSbom(string Format, string SpecVersion, IReadOnlyList<SbomComponent> Components);

public sealed record SbomComponent(string Name, string Version, string Purl);

/// <summary>The content types SBOMs are accepted and served in.</summary>
public static class SbomFormats
{
    public const string CycloneDxType = "application/vnd.cyclonedx+json";
    public const string SpdxType = "application/spdx+json";

    public static string ContentType(string format) => format == "spdx" ? SpdxType : CycloneDxType;
}
