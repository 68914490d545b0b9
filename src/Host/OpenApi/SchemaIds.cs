using System.Collections.Concurrent;
using System.Text;

namespace Edgeplane.Host.OpenApi;

/// <summary>
/// Component names for schemas: the type's short name (generic arguments spelled out, e.g.
/// <c>PageOfZone</c>), qualified by its namespace only when another type already holds the short
/// name (two plugins may both have a <c>Zone</c>); anonymous types become <c>Anonymous</c>, <c>Anonymous2</c>...
/// Every name matches <c>^[a-zA-Z0-9.\-_]+$</c> as OpenAPI requires.
/// </summary>
public sealed class SchemaIds
{
    private readonly ConcurrentDictionary<Type, string> _byType = new();
    private readonly ConcurrentDictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string For(Type type)
    {
        if (_byType.TryGetValue(type, out var known)) return known;
        lock (_lock)
        {
            if (_byType.TryGetValue(type, out known)) return known;
            var anonymous = type.Name.Contains("AnonymousType", StringComparison.Ordinal);
            var name = anonymous ? "Anonymous" : ShortName(type);
            if (_byName.ContainsKey(name) && !anonymous) name = Clean(type.Namespace is { } ns ? ns + "." + name : name);
            var candidate = name;
            for (var i = 2; _byName.ContainsKey(candidate); i++) candidate = name + i;
            _byName[candidate] = type;
            _byType[type] = candidate;
            return candidate;
        }
    }

    private static string ShortName(Type type)
    {
        if (type.IsArray) return ShortName(type.GetElementType()!) + "Array";
        var name = type.Name;
        var tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        if (type.IsNested && type.DeclaringType is { } outer && !outer.Name.Contains('<')) name = ShortName(outer) + name;
        if (type.IsGenericType)
            name += "Of" + string.Join("And", type.GetGenericArguments().Select(ShortName));
        return Clean(name);
    }

    private static string Clean(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        return sb.ToString().Trim('_');
    }
}
