using System.Reflection;
using System.Runtime.Loader;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// One load context per plugin folder. Assemblies the host ships (the SDK, the framework,
/// Microsoft.Extensions.*, Autofac, Dapper, the ADO.NET providers) always come from the host so
/// that contract types unify, whatever copy the plugin carries; everything else resolves
/// privately from the plugin's <c>.deps.json</c>, managed and native alike.
/// </summary>
public sealed class PluginLoadContext(string entryAssemblyPath, string pluginId)
    : AssemblyLoadContext($"plugin:{pluginId}", isCollectible: false)
{
    private readonly AssemblyDependencyResolver _resolver = new(entryAssemblyPath);

    protected override Assembly? Load(AssemblyName name)
    {
        if (HostAssemblies.ShouldShare(name)) return null;
        var path = _resolver.ResolveAssemblyToPath(name);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
