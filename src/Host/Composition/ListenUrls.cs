using Edgeplane.Host.Plugins;
using Microsoft.Extensions.Configuration;

namespace Edgeplane.Host.Composition;

/// <summary>The main listener (standard <c>--urls</c> / <c>ASPNETCORE_URLS</c>, loopback by default) plus dedicated plugin listeners.</summary>
public static class ListenUrls
{
    public const string Default = "http://127.0.0.1:5000";

    public static string[] For(IConfiguration configuration, IEnumerable<PluginEntry> plugins)
    {
        var main = (configuration["urls"] ?? Default).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dedicated = plugins.Where(p => p.IsLive)
            .SelectMany(p => p.Mounts).Select(m => m.Listener).OfType<Uri>()
            .Select(listener => listener.GetLeftPart(UriPartial.Authority));
        return main.Concat(dedicated).Distinct().ToArray();
    }
}
