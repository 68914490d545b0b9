namespace Edgeplane.Plugins.Waf.SecLang.Variables;

/// <summary>An ordered multi-map of a request's values (<c>ARGS</c>, <c>REQUEST_HEADERS</c>, …); keys compare case-insensitively.</summary>
public sealed class Collection
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;
    public int Count => _items.Count;

    public void Add(string key, string value) => _items.Add(new(key, value));

    public void Set(string key, string value)
    {
        var at = _items.FindIndex(i => i.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
        if (at >= 0) _items[at] = new(_items[at].Key, value);
        else _items.Add(new(key, value));
    }

    public void Remove(string key) => _items.RemoveAll(i => i.Key.Equals(key, StringComparison.OrdinalIgnoreCase));

    public string? Get(string key)
    {
        foreach (var (k, v) in _items)
            if (k.Equals(key, StringComparison.OrdinalIgnoreCase)) return v;
        return null;
    }
}

/// <summary>One value a rule inspects, with its name as <c>MATCHED_VAR_NAME</c> shows it (<c>ARGS:id</c>).</summary>
public readonly record struct VariableValue(string Name, string Value);
