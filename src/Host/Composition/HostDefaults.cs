using Microsoft.Extensions.Configuration.Memory;

namespace Edgeplane.Host.Composition;

/// <summary>
/// Settings that hold even when no <c>appsettings.json</c> sits in the content root (the host started from
/// another directory): every other configuration source overrides them.
/// </summary>
public static class HostDefaults
{
    private static readonly Dictionary<string, string?> Values = new()
    {
        // One log line per request costs more CPU than the rest of the pipeline together.
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    public static void Apply(ConfigurationManager configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Values });
}
