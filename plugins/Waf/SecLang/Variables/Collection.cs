using System.Runtime.InteropServices;

namespace Edgeplane.Plugins.Waf.SecLang.Variables;

/// <summary>
/// An ordered multi-map of a request's values (<c>ARGS</c>, <c>REQUEST_HEADERS</c>, <c>TX</c>, …); keys compare
/// case-insensitively. Lookups by key go through an index (the CRS reads and writes its <c>TX</c> variables by
/// name some hundred times per request).
/// </summary>
public sealed class Collection
{
    private readonly List<KeyValuePair<string, string>> _items = [];
    private readonly Dictionary<string, (int First, int Count)> _index = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;
    public int Count => _items.Count;

    public void Add(string key, string value)
    {
        ref var at = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, key, out var exists);
        at = exists ? (at.First, at.Count + 1) : (_items.Count, 1);
        _items.Add(new(key, value));
    }

    /// <summary>Replaces the value of the key's first member, or adds the key.</summary>
    public void Set(string key, string value)
    {
        ref var at = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, key, out var exists);
        if (exists)
        {
            _items[at.First] = new(_items[at.First].Key, value);
            return;
        }
        at = (_items.Count, 1);
        _items.Add(new(key, value));
    }

    public void Remove(string key)
    {
        if (!_index.ContainsKey(key)) return;
        _items.RemoveAll(i => i.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
        _index.Clear();
        for (var i = 0; i < _items.Count; i++)
            _index[_items[i].Key] = _index.TryGetValue(_items[i].Key, out var at) ? (at.First, at.Count + 1) : (i, 1);
    }

    /// <summary>Empties the collection for the next request (a large index is let go rather than cleared).</summary>
    public void Clear()
    {
        var count = _items.Count;
        _items.Clear();
        _index.Clear();
        if (count > 256)
        {
            _items.TrimExcess();
            _index.TrimExcess();
        }
    }

    public string? Get(string key) => _index.TryGetValue(key, out var at) ? _items[at.First].Value : null;

    /// <summary>Where the members named <paramref name="key"/> start and how many there are ((-1, 0) for none).</summary>
    public (int First, int Count) Find(string key) => _index.TryGetValue(key, out var at) ? at : (-1, 0);
}

/// <summary>One value a rule inspects: its collection, its member's key (none for a single variable) and the value.</summary>
public readonly record struct VariableValue(string Collection, string? Key, string Value)
{
    /// <summary>As <c>MATCHED_VAR_NAME</c> shows it: <c>ARGS:id</c>, <c>REQUEST_URI</c>.</summary>
    public string Name => Key is null ? Collection : Collection + ":" + Key;
}
