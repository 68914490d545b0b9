namespace Edgeplane.Plugins.Waf.SecLang.Variables;

/// <summary>
/// The rule set's numbers for the member names its rules write statically (<c>TX:paranoia_level</c>,
/// <c>REQUEST_HEADERS:Host</c>, <c>%{tx.anomaly_score}</c>, <c>setvar:tx.x=1</c>): a rule reads or writes such a member
/// by its number, with no case-insensitive lookup of its name when it runs. Names compare case-insensitively.
/// </summary>
public sealed class MemberSlots
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _names = [];

    public int Count => _slots.Count;

    /// <summary>The names by slot, as first written.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The name's number, given now if it has none.</summary>
    public int Assign(string name)
    {
        if (_slots.TryGetValue(name, out var slot)) return slot;
        _names.Add(name);
        return _slots[name] = _slots.Count;
    }

    /// <summary>The name's number; -1 when no rule names it.</summary>
    public int Of(string name) => _slots.GetValueOrDefault(name, -1);
}
