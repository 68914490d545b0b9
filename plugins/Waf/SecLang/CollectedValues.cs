using System.Runtime.InteropServices;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// The values of one <see cref="SecLangRule.ValueSet"/> in one phase, transformed, with the regexes that can match
/// each of them and any of them: a rule whose regex none of the values can match is decided without a loop over them.
/// </summary>
internal sealed class CollectedValues
{
    private readonly List<CollectedValue> _values = [];
    /// <summary>Kept from request to request; valid when <see cref="_anyKnown"/>.</summary>
    private ulong[]? _any;
    private bool _anyKnown;

    /// <summary>The phase these values were collected in (<see cref="SecLangTransaction"/>'s stamp).</summary>
    public long Stamp { get; set; }

    /// <summary>The values, each changed in place when its candidates are found.</summary>
    public Span<CollectedValue> Values => CollectionsMarshal.AsSpan(_values);

    public void Add(VariableValue value, string input) => _values.Add(new CollectedValue { Value = value, Input = input });

    public void Clear()
    {
        _values.Clear();
        _anyKnown = false;
    }

    /// <summary>The regexes that can match one of the values or more (one bit per prefilter slot).</summary>
    public ulong[] AnyCandidates(Func<string, ulong[]> candidatesOf, int words)
    {
        var any = _any ??= new ulong[words];
        if (_anyKnown) return any;
        Array.Clear(any);
        foreach (ref var value in Values)
        {
            var candidates = value.Candidates ??= candidatesOf(value.Input);
            for (var i = 0; i < any.Length; i++) any[i] |= candidates[i];
        }
        _anyKnown = true;
        return any;
    }
}

/// <summary>A value of a rule's targets, after its transformations, and the regexes that can match it (found when first needed).</summary>
internal struct CollectedValue
{
    public VariableValue Value;
    public string Input;
    public ulong[]? Candidates;
}
