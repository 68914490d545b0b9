namespace Edgeplane.Abstractions.Plugins;

/// <summary>The SDK version this assembly implements; manifests declare the range they support.</summary>
public static class SdkInfo
{
    /// <summary>The SDK's version (major.minor.patch).</summary>
    public static Version Version { get; } = typeof(SdkInfo).Assembly.GetName().Version!;
}
