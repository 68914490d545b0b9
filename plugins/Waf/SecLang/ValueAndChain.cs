using System.Runtime.CompilerServices;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// Compares a (value, transformation chain) pair by reference: a request's values are strings read once into its
/// collections, so every rule on the same member sees the same instance (hashing a 64 KiB body for every rule would
/// cost more than transforming it), and the loader interns chain names. Equal strings in different instances are
/// only cached twice.
/// </summary>
internal sealed class ValueAndChain : IEqualityComparer<(string Value, string Chain)>
{
    public static readonly ValueAndChain Comparer = new();

    public bool Equals((string Value, string Chain) x, (string Value, string Chain) y) =>
        ReferenceEquals(x.Value, y.Value) && ReferenceEquals(x.Chain, y.Chain);

    public int GetHashCode((string Value, string Chain) pair) =>
        HashCode.Combine(RuntimeHelpers.GetHashCode(pair.Value), RuntimeHelpers.GetHashCode(pair.Chain));
}
