using System.Runtime.InteropServices;

namespace Edgeplane.Plugins.Waf.SecLang.Variables;

/// <summary>
/// An ordered multi-map of a request's values (<c>ARGS</c>, <c>REQUEST_HEADERS</c>, <c>TX</c>, …); keys compare
/// case-insensitively. Lookups by key go through an index (the CRS reads and writes its <c>TX</c> variables by
/// name some hundred times per request); the names the rules write statically are indexed by their number in the
/// rule set's <see cref="MemberSlots"/>, so a rule that knows the number finds its member without hashing the name.
/// </summary>
public sealed class Collection(MemberSlots? slots = null)
{
    private readonly List<KeyValuePair<string, string>> _items = [];
    /// <summary>The slot of each member's name (-1: none).</summary>
    private readonly List<int> _itemSlots = [];
    /// <summary>Where the members of the names without a slot are.</summary>
    private readonly Dictionary<string, (int First, int Count)> _index = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Where the members of each slot's name are (Count 0: none); only the slots in use are cleared.</summary>
    private (int First, int Count)[] _bySlot = new (int, int)[slots?.Count ?? 0];
    private readonly List<int> _usedSlots = [];

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;
    public int Count => _items.Count;
    /// <summary>The members, for a loop over them (valid until the collection changes).</summary>
    internal ReadOnlySpan<KeyValuePair<string, string>> Members => CollectionsMarshal.AsSpan(_items);
    /// <summary>The slot of each of <see cref="Members"/>' names (-1: none).</summary>
    internal ReadOnlySpan<int> MemberSlots => CollectionsMarshal.AsSpan(_itemSlots);

    public void Add(string key, string value) => Add(-1, key, value);

    /// <summary>Adds a member whose name has the slot given (-1: not known, looked up by name).</summary>
    public void Add(int slot, string key, string value)
    {
        ref var at = ref Entry(ref slot, key, out var exists);
        at = exists ? (at.First, at.Count + 1) : (_items.Count, 1);
        _items.Add(new(key, value));
        _itemSlots.Add(slot);
    }

    /// <summary>Replaces the value of the key's first member, or adds the key.</summary>
    public void Set(string key, string value) => Set(-1, key, value);

    /// <summary>Replaces the value of the first member of the name with the slot given (-1: not known), or adds it.</summary>
    public void Set(int slot, string key, string value)
    {
        ref var at = ref Entry(ref slot, key, out var exists);
        if (exists)
        {
            _items[at.First] = new(_items[at.First].Key, value);
            return;
        }
        at = (_items.Count, 1);
        _items.Add(new(key, value));
        _itemSlots.Add(slot);
    }

    public void Remove(string key)
    {
        if (Find(key).Count == 0) return;
        _items.RemoveAll(i => i.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
        ClearIndex();
        _itemSlots.Clear();
        for (var i = 0; i < _items.Count; i++)
        {
            var slot = -1;
            ref var at = ref Entry(ref slot, _items[i].Key, out var exists);
            at = exists ? (at.First, at.Count + 1) : (i, 1);
            _itemSlots.Add(slot);
        }
    }

    /// <summary>Empties the collection for the next request (a large index is let go rather than cleared).</summary>
    public void Clear()
    {
        var count = _items.Count;
        _items.Clear();
        _itemSlots.Clear();
        ClearIndex();
        if (count > 256)
        {
            _items.TrimExcess();
            _itemSlots.TrimExcess();
            _index.TrimExcess();
        }
    }

    public string? Get(string key) => Get(-1, key);

    /// <summary>The value of the first member of the name with the slot given (-1: not known).</summary>
    public string? Get(int slot, string key)
    {
        var (first, count) = Find(slot, key);
        return count > 0 ? _items[first].Value : null;
    }

    /// <summary>Where the members named <paramref name="key"/> start and how many there are ((-1, 0) for none).</summary>
    public (int First, int Count) Find(string key) => Find(-1, key);

    /// <summary>As <see cref="Find(string)"/>, for a name whose slot may be known (-1: not known, looked up by name).</summary>
    public (int First, int Count) Find(int slot, string key)
    {
        if (slot < 0) slot = SlotOf(key);
        if (slot >= 0 && slot < _bySlot.Length) return _bySlot[slot] is { Count: > 0 } at ? at : (-1, 0);
        return _index.TryGetValue(key, out var found) ? found : (-1, 0);
    }

    private int SlotOf(string key) => slots is null ? -1 : slots.Of(key);

    /// <summary>The index entry of the name; <paramref name="slot"/> is looked up when not known (-1).</summary>
    private ref (int First, int Count) Entry(ref int slot, string key, out bool exists)
    {
        if (slot < 0) slot = SlotOf(key);
        if (slot < 0) return ref CollectionsMarshal.GetValueRefOrAddDefault(_index, key, out exists);
        // names numbered after this collection was made (a rule set's slots are final before its transactions exist)
        if (slot >= _bySlot.Length) Array.Resize(ref _bySlot, slots!.Count);
        ref var at = ref _bySlot[slot];
        exists = at.Count > 0;
        if (!exists) _usedSlots.Add(slot);
        return ref at;
    }

    private void ClearIndex()
    {
        _index.Clear();
        foreach (var slot in _usedSlots) _bySlot[slot] = default;
        _usedSlots.Clear();
    }
}

/// <summary>One value a rule inspects: its collection, its member's key (none for a single variable) and the value.</summary>
public readonly record struct VariableValue(string Collection, string? Key, string Value)
{
    /// <summary>As <c>MATCHED_VAR_NAME</c> shows it: <c>ARGS:id</c>, <c>REQUEST_URI</c>.</summary>
    public string Name => Key is null ? Collection : Collection + ":" + Key;
}
