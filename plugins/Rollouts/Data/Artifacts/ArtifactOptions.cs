using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Rollouts.Data.Artifacts;

/// <summary><c>Edgeplane:Plugins:rollouts:Artifacts:*</c>.</summary>
public sealed class ArtifactOptions
{
    /// <summary>Largest payload (<c>Artifacts:MaxBytes</c>); payloads are stored in the database.</summary>
    public long MaxArtifactBytes { get; init; } = 64L * 1024 * 1024;
    /// <summary>Largest SBOM document (<c>Artifacts:MaxSbomBytes</c>).</summary>
    public long MaxSbomBytes { get; init; } = 16L * 1024 * 1024;

    public static ArtifactOptions From(IConfiguration section) => new()
    {
        MaxArtifactBytes = section.GetValue("Artifacts:MaxBytes", 64L * 1024 * 1024),
        MaxSbomBytes = section.GetValue("Artifacts:MaxSbomBytes", 16L * 1024 * 1024),
    };
}
