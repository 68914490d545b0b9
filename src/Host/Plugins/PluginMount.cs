namespace Edgeplane.Host.Plugins;

/// <summary>
/// Where a plugin's routes live: a path prefix on the main listener (default <c>/{id}</c>), or a
/// dedicated listener with an empty prefix, configured as <c>http://127.0.0.1:9999</c> or <c>:9999</c>.
/// </summary>
public sealed record PluginMount(string Prefix, Uri? Listener)
{
    public int? Port => Listener?.Port;

    public override string ToString() => Listener is null ? (Prefix.Length == 0 ? "/" : Prefix) : Listener.ToString().TrimEnd('/');

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
