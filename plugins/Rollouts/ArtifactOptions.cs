using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Rollouts;

/// <summary><c>Edgeplane:Plugins:rollouts:Artifacts:*</c>.</summary>
public sealed class ArtifactOptions
{
    /// <summary>Largest payload (<c>Artifacts:MaxBytes</c>); payloads are stored in the database.</summary>
    [ConfigurationKeyName("MaxBytes")]
    public long MaxArtifactBytes { get; set; } = 64L * 1024 * 1024;
    /// <summary>Largest SBOM document (<c>Artifacts:MaxSbomBytes</c>).</summary>
    public long MaxSbomBytes { get; set; } = 16L * 1024 * 1024;
}
