using Edgeplane.Abstractions.Routing;
using Microsoft.Extensions.Configuration;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Where a plugin's routes live: a path prefix on the main listener (default <c>/{id}</c>), or a
/// dedicated listener with an empty prefix, configured as <c>http://127.0.0.1:9999</c> or <c>:9999</c>.
/// <see cref="Paths"/>, when set, limits the mount to routes under those path prefixes; <see cref="Profile"/> is
/// the wire contract it serves (<see cref="ApiProfiles"/>).
/// </summary>
public sealed record PluginMount(string Prefix, Uri? Listener, IReadOnlyList<string>? Paths = null, string Profile = ApiProfiles.Native)
{
    public int? Port => Listener?.Port;

    public override string ToString()
    {
        var at = Listener is null ? (Prefix.Length == 0 ? "/" : Prefix) : Listener.ToString().TrimEnd('/');
        if (Paths is not null) at += $" ({string.Join(' ', Paths)})";
        return Profile == ApiProfiles.Native ? at : $"{at} [{Profile}]";
    }

    /// <summary>Whether this mount serves a route whose pattern, relative to the mount, is <paramref name="route"/>.</summary>
    public bool Serves(string route) =>
        Paths is null || Paths.Any(p => route.StartsWith(p, StringComparison.OrdinalIgnoreCase)
            && (route.Length == p.Length || p.EndsWith('/') || route[p.Length] == '/'));

    /// <summary>
    /// A plugin's mounts from its configuration section: <c>Mounts</c> (a list of mount strings or
    /// <c>{ "At": ":9090", "Paths": ["/metrics"], "Profile": "seed" }</c> objects), else the single <c>Mount</c>,
    /// else <c>/{id}</c>.
    /// </summary>
    public static IReadOnlyList<PluginMount> FromConfiguration(IConfigurationSection section, string pluginId)
    {
        var items = section.GetSection("Mounts").GetChildren().ToList();
        if (items.Count == 0) return [Parse(section["Mount"], pluginId)];
        return items.Select(item =>
        {
            var paths = item.GetSection("Paths").GetChildren().Select(p => p.Value?.Trim()).OfType<string>().ToList();
            if (paths.Any(p => !p.StartsWith('/')))
                throw new FormatException($"mount '{item["At"]}': every path in Paths must start with '/'");
            var profile = item["Profile"]?.Trim() is { Length: > 0 } p ? p.ToLowerInvariant() : ApiProfiles.Native;
            return Parse(item.Value ?? item["At"], pluginId) with { Paths = paths.Count == 0 ? null : paths, Profile = profile };
        }).ToList();
    }

    public static PluginMount Parse(string? value, string pluginId)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value)) return new PluginMount("/" + pluginId, null);
        if (value.StartsWith('/')) return new PluginMount(value.TrimEnd('/'), null);
        if (value.StartsWith(':')) value = "http://127.0.0.1" + value;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            && uri.AbsolutePath == "/" && uri.Port > 0)
            return new PluginMount("", uri);
        throw new FormatException($"mount '{value}' must be a path such as /{pluginId}, or a listener such as http://127.0.0.1:9999 or :9999");
    }
}
